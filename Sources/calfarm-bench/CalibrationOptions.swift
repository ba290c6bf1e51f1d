import Foundation

/// Options of `calfarm-bench calibration`. Defaults fit a 2-core, 24 GiB machine whose page cache
/// keeps only ~4–5 GB: the whole gathered input of the process job (3 runs × 16 ASICs) must stay
/// warm, so trains × cells is bounded, while one ASIC's input over the three runs is still
/// ~150 MB and a raw sequence file ~0.8 GB.
struct CalibrationOptions {
    var workDir: String = NSTemporaryDirectory() + "calfarm-bench-calibration-\(getpid())"
    var channel = 0
    var runs = [101, 102, 103]
    // Trains ≈ 3 × cells, as in real darks (agipd-reference: e.g. 1000 trains × 352 cells).
    var trains = 96
    var cells = 32
    var repeats = 5
    var numpyRepeats = 3
    var python = "python3"
    var numpyScript = "benchmarks/dark_numpy.py"
    var memoryCells = 352
    var memoryTrains = [4, 8, 16, 32]
    var numpy = true
    var memory = true
    var keep = false
    /// Also measure gather and process with their inputs out of the page cache (production).
    var cold = true
    var coldRepeats = 3
    /// Threads of the extra "process dark, N threads" row.
    var threads = 2
    /// Only this step's throughput (gather or process), for profiling.
    var only: String?
    /// Block budgets of the gather and process jobs (nil: the steps' defaults), for tuning.
    var gatherBlockBytes: Int?
    var processBlockBytes: Int?

    static let usage = """
        usage: calfarm-bench calibration [--work-dir DIR] [--channel N] [--trains N] [--cells N]
                                         [--repeats N] [--numpy-repeats N] [--python EXE]
                                         [--numpy-script PATH] [--memory-cells N]
                                         [--memory-trains N,N,…] [--no-numpy] [--no-memory] [--keep]
                                         [--no-cold] [--cold-repeats N] [--threads N]
                                         [--only gather|process]
                                         [--gather-block-mib N] [--process-block-mib N]
        With --keep the data stay in the work dir and a later run with the same
        --work-dir and sizes reuses them. Run from the repository root (the numpy reference is benchmarks/dark_numpy.py).
        """

    static func parse(_ arguments: ArraySlice<String>) throws -> CalibrationOptions {
        var options = CalibrationOptions()
        var words = BenchArguments(arguments, usage: usage)
        func value(_ name: String) throws -> String { try words.value(name) }
        func int(_ name: String, minimum: Int) throws -> Int { try words.int(name, minimum: minimum) }
        while let argument = words.next() {
            switch argument {
            case "--work-dir": options.workDir = try value(argument)
            case "--channel": options.channel = try int(argument, minimum: 0)
            case "--trains": options.trains = try int(argument, minimum: 1)
            case "--cells": options.cells = try int(argument, minimum: 1)
            case "--repeats": options.repeats = try int(argument, minimum: 1)
            case "--numpy-repeats": options.numpyRepeats = try int(argument, minimum: 1)
            case "--python": options.python = try value(argument)
            case "--numpy-script": options.numpyScript = try value(argument)
            case "--memory-cells": options.memoryCells = try int(argument, minimum: 1)
            case "--memory-trains":
                let text = try value(argument)
                let list = text.split(separator: ",").compactMap { Int($0) }
                guard !list.isEmpty, list.count == text.split(separator: ",").count, list.allSatisfy({ $0 > 0 }) else {
                    throw CalibrationBenchError.usage("--memory-trains takes positive integers separated by commas, got \(text)")
                }
                options.memoryTrains = list
            case "--no-numpy": options.numpy = false
            case "--no-memory": options.memory = false
            case "--keep": options.keep = true
            case "--no-cold": options.cold = false
            case "--threads": options.threads = try int(argument, minimum: 1)
            case "--cold-repeats": options.coldRepeats = try int(argument, minimum: 1)
            case "--gather-block-mib": options.gatherBlockBytes = try int(argument, minimum: 1) << 20
            case "--process-block-mib": options.processBlockBytes = try int(argument, minimum: 1) << 20
            case "--only":
                let step = try value(argument)
                guard ["gather", "process"].contains(step) else {
                    throw CalibrationBenchError.usage("--only takes gather or process, got \(step)")
                }
                options.only = step
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw CalibrationBenchError.usage("unknown option \(argument)")
            }
        }
        guard (0...15).contains(options.channel) else { throw CalibrationBenchError.usage("--channel must be within 0…15") }
        guard options.cells <= 352, options.memoryCells <= 352 else {
            throw CalibrationBenchError.usage("AGIPD has at most 352 memory cells")
        }
        return options
    }
}

/// Errors of the calibration benchmark; each names what failed.
enum CalibrationBenchError: Error, CustomStringConvertible {
    case usage(String, help: String = CalibrationOptions.usage)
    case commandFailed(command: String, status: Int32, output: String)
    case badOutput(command: String, output: String)
    case missingFile(path: String, hint: String)

    var description: String {
        switch self {
        case let .usage(reason, help): "\(reason)\n\(help)"
        case let .commandFailed(command, status, output): "\(command) exited with status \(status): \(output)"
        case let .badOutput(command, output): "cannot read the figures printed by \(command): \(output)"
        case let .missingFile(path, hint): "\(path) does not exist (\(hint))"
        }
    }
}
