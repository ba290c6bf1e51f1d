import Farm
import FarmContract
import Foundation
import HDF5
import Simulator

/// Benchmark 4: what the plan-time checks add to `calfarm submit` for a 16-channel, 3-run dark
/// with 20 sequence files per run and channel (960 raw files). Target: under 1 s.
///
/// Measured, median over repeats, on warm files (each read once with `cat` first):
/// - plan without the inspection (directories, listing, channels, expansion): the reference;
/// - plan with it (the same plus `calfarm-worker inspect`: start-up, 960 opens and image
///   checks, 48 full header reads); the difference is the preflight's cost;
/// - `calfarm-worker inspect` of no file: the worker's start-up alone;
/// - opening and closing every raw file through libhdf5 in this process: the floor of any
///   check that reads HDF5 headers.
enum FarmPreflightBenchmark {
    static let target = 1.0
    static let channels = Array(0...15), runs = [9101, 9102, 9103], sequences = 20

    static func run(_ options: FarmBenchmarks.Options) throws {
        let worker = options.worker ?? WorkerLocation.path(configured: nil, environment: [:])
        guard FileManager.default.isExecutableFile(atPath: worker) else {
            throw FarmBenchError.badOption("preflight needs calfarm-worker (\(worker)): swift build -c release --product calfarm-worker")
        }
        let input = "\(options.work)/calfarm-bench-preflight-in"
        let files = channels.count * runs.count * sequences
        print("\n== preflight: XFEL dark, \(runs.count) runs × \(channels.count) channels × \(sequences) sequences "
              + "(\(files) raw files, 1 train of 2 cells each), worker \(worker)")
        try simulate(into: input, rebuild: options.rebuild)
        warm(input)

        let output = "\(options.work)/calfarm-bench-preflight-out-\(getpid())"
        let request = PlanRequest(measurement: .dark, inputDir: input, outputDir: output, runs: runs,
                                      channels: channels, configuration: Configuration.defaults)
        let probe = WorkerProbe(path: worker, environment: ProcessInfo.processInfo.environment)
        let paths = runs.flatMap { run in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(input)/raw/r\(run)")) ?? []).sorted()
                .map { "\(input)/raw/r\(run)/\($0)" }
        }
        var without: [Double] = [], with: [Double] = [], startup: [Double] = [], opens: [Double] = []
        for _ in 0..<options.repeats {
            without.append(try FarmTiming.seconds { _ = try Planner.plan(request, worker: nil) })
            with.append(try FarmTiming.seconds { _ = try Planner.plan(request, worker: probe) })
            startup.append(try FarmTiming.seconds {
                _ = try probe.inspect(InspectionRequest(facility: .xfel, detectorString: nil, files: []))
            })
            opens.append(try FarmTiming.seconds { for path in paths { try File.open(path).close() } })
        }
        let (a, b, c) = (FarmTiming.median(without), FarmTiming.median(with), FarmTiming.median(startup))
        print("plan without inspection (reference): \(FarmTiming.format(a))")
        print("plan with inspection:                \(FarmTiming.format(b))")
        print("  of which worker start-up alone:    \(FarmTiming.format(c))")
        print("open + close of the \(paths.count) files through libhdf5 (floor): \(FarmTiming.format(FarmTiming.median(opens)))")
        let added = b - a
        print("preflight adds \(FarmTiming.format(added)) to submit (median of \(options.repeats)); target < "
              + "\(FarmTiming.format(target)): \(added < target ? "PASS" : "MISS")")
    }

    /// The raw files, written once and reused (their options are in the directory name).
    static func simulate(into input: String, rebuild: Bool) throws {
        let marker = "\(input)/.complete"
        if !rebuild, FileManager.default.fileExists(atPath: marker) { return }
        try? FileManager.default.removeItem(atPath: input)
        var options = XFELDarkSimulation.Options()
        (options.runs, options.channels, options.trains, options.cells, options.sequences) = (runs, channels, sequences, 2, sequences)
        options.detectorString = "SPB_DET_AGIPD1M-1"
        let seconds = try FarmTiming.seconds { try XFELDarkSimulation(options: options).write(to: input) }
        _ = FileManager.default.createFile(atPath: marker, contents: nil)
        print("simulated the raw files in \(FarmTiming.format(seconds))")
    }

    /// Reads every raw file once so the timings are of warm files.
    static func warm(_ input: String) {
        for run in runs {
            let directory = "\(input)/raw/r\(run)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                _ = FileManager.default.contents(atPath: "\(directory)/\(name)")
            }
        }
    }
}
