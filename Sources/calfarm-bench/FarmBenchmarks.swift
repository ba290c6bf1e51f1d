import Foundation

/// Controller benchmarks: `calfarm-bench farm [options]`.
///
/// 1. `plan`: plan + store + render a synthetic XFEL dark of ~100,000 job units (target < 2 s).
/// 2. `status`: `status` of one request in a database of 1,000,000 job rows (target < 100 ms).
/// 3. `sbatch`: `sbatch` calls for a 16-channel XFEL dark against the original's 354 (target ≤ 24).
/// 4. `preflight`: what the plan-time checks of the raw files add to `submit` for a 16-channel,
///    3-run dark with 20 sequences per run and channel (target < 1 s).
///
/// Each timing is a median over repeats, printed beside a reference measured in the same run.
enum FarmBenchmarks {
    struct Options {
        var suites: Set<String> = ["plan", "status", "sbatch", "preflight"]
        /// Job units of the plan benchmark's request.
        var units = 100_000
        var nJobs = 16
        var repeats = 5
        /// Scratch directory on a local disk (temporary databases, specs, scripts).
        var work = FileManager.default.temporaryDirectory.path
        /// The 1M-row status database; built there when absent, reused when present.
        var statusDB: String?
        var statusRows = 1_000_000
        var statusRequests = 10
        var statusRepeats = 101
        var rebuild = false
        /// Extra plan measurements that locate the cost (units vs edges, configuration copies).
        var diagnose = false
        /// The `calfarm` executable for the end-to-end status timing (skipped when absent).
        var calfarm: String?
        /// The `calfarm-worker` of the preflight benchmark (default: beside the benchmark).
        var worker: String?
    }

    static let usage = """
        usage: calfarm-bench farm [--only plan,status,sbatch,preflight] [--units N] [--n-jobs N] [--repeats N]
                                  [--work DIR] [--status-db PATH] [--status-rows N] [--status-requests N]
                                  [--status-repeats N] [--rebuild] [--diagnose] [--calfarm PATH] [--worker PATH]
        """

    static func run(_ arguments: ArraySlice<String>) throws {
        let options = try parse(arguments)
        print("calfarm-bench farm — \(ProcessInfo.processInfo.activeProcessorCount) cores, "
              + "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB, work directory \(options.work)")
        print("command: calfarm-bench farm " + arguments.joined(separator: " "))
        if options.suites.contains("sbatch") { try FarmSbatchCount.run(options) }
        if options.suites.contains("plan") { try FarmPlanBenchmark.run(options) }
        if options.suites.contains("status") { try FarmStatusBenchmark.run(options) }
        if options.suites.contains("preflight") { try FarmPreflightBenchmark.run(options) }
    }

    static func parse(_ arguments: ArraySlice<String>) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw FarmBenchError.badOption("\(flag) needs a value\n\(usage)") }
            return next
        }
        func integer(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n > 0 else {
                throw FarmBenchError.badOption("\(flag) \(text): expected a positive integer")
            }
            return n
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--only":
                options.suites = Set(try value(flag).split(separator: ",").map(String.init))
                let unknown = options.suites.subtracting(["plan", "status", "sbatch", "preflight"])
                guard unknown.isEmpty else {
                    throw FarmBenchError.badOption("--only \(unknown.sorted()): expected plan, status, sbatch or preflight")
                }
            case "--units": options.units = try integer(flag)
            case "--n-jobs": options.nJobs = try integer(flag)
            case "--repeats": options.repeats = try integer(flag)
            case "--work": options.work = try value(flag)
            case "--status-db": options.statusDB = try value(flag)
            case "--status-rows": options.statusRows = try integer(flag)
            case "--status-requests": options.statusRequests = try integer(flag)
            case "--status-repeats": options.statusRepeats = try integer(flag)
            case "--rebuild": options.rebuild = true
            case "--diagnose": options.diagnose = true
            case "--calfarm": options.calfarm = try value(flag)
            case "--worker": options.worker = try value(flag)
            case "-h", "--help": print(usage); exit(0)
            default: throw FarmBenchError.badOption("\(flag)\n\(usage)")
            }
        }
        return options
    }
}
