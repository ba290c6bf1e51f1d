import Farm
import FarmContract
import Foundation

/// Benchmark 3 (deterministic): `sbatch` calls for a 16-channel, 3-run XFEL dark against the
/// original's 354 = 1 + C·(R·g + p) + 1 (C = 16 channels, R = 3 runs, g = 2 gather chunks per run,
/// p = 16 process jobs; agipd-reference §3–4). Target: at most 24.
///
/// Counted twice: by `Farm.plan` on a raw directory of empty files with the real names (the
/// controller's own batching, `PlanPreview.sbatchCalls`), and from the public array groups cut at
/// MaxArraySize; the two must agree.
enum FarmSbatchCount {
    static let original = 1 + 16 * (3 * 2 + 16) + 1
    static let target = 24

    static func run(_ options: FarmBenchmarks.Options) throws {
        print("\n== sbatch calls: 16-channel XFEL dark, 3 runs, process n_jobs 16")
        var rows: [FarmTableRow] = []
        for sequences in [2, 10] {
            let shape = FarmSyntheticDark(sequences: sequences)
            let fromGroups = try countFromGroups(shape)
            let fromController = try countWithController(shape, work: options.work)
            guard fromGroups == fromController else {
                throw FarmBenchError.unexpected("sbatch count: array groups give \(fromGroups), Farm.plan \(fromController)")
            }
            rows.append(row(shape, calls: fromController))
        }
        // The plan benchmark's request, whose gather arrays exceed MaxArraySize and are split.
        let large = FarmSyntheticDark(sequences: FarmSyntheticDark.sequences(forUnits: options.units))
        rows.append(row(large, calls: try countFromGroups(large), targetApplies: false))
        FarmTable.print(title: "sbatch calls vs the original's \(original)", rows,
                        header: ["request", "size", "sbatch calls", "reference", "ratio", "target"])
    }

    static func row(_ shape: FarmSyntheticDark, calls: Int, targetApplies: Bool = true) -> FarmTableRow {
        FarmTableRow(name: "\(shape.sequences) sequences per run", size: "\(FarmTiming.count(shape.unitCount)) units",
                     median: "\(calls) sbatch calls", reference: "original: \(original)",
                     ratio: String(format: "%.3f× (%.0f× fewer)", Double(calls) / Double(original),
                                   Double(original) / Double(calls)),
                     verdict: targetApplies ? (calls <= target ? "PASS" : "MISS") + " (≤ \(target))"
                         : "n/a: gather arrays split at MaxArraySize")
    }

    /// Arrays = the graph's array groups, each cut into arrays of at most MaxArraySize − 1 tasks
    /// (counted here from the group sizes, independently of `SubmissionBatch`).
    static func countFromGroups(_ shape: FarmSyntheticDark) throws -> Int {
        let request = try shape.request(inputDir: "/nonexistent/in", outputDir: "/nonexistent/out")
        let graph = try Planner.expand(request, inventory: shape.inventory)
        let tasksPerArray = max(1, request.configuration.maxArraySize - 1)
        return graph.arrayGroups().reduce(0) { $0 + ($1.units.count + tasksPerArray - 1) / tasksPerArray }
    }

    /// `calfarm plan` through the facade, on a raw directory holding empty files with the real names.
    static func countWithController(_ shape: FarmSyntheticDark, work: String) throws -> Int {
        let directory = "\(work)/calfarm-bench-sbatch-\(getpid())-\(shape.sequences)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = ProductPaths(inputDir: "\(directory)/in", outputDir: "\(directory)/out", measurement: .dark)
        for run in FarmSyntheticDark.runs {
            try FileManager.default.createDirectory(atPath: paths.rawRunDir(run: run), withIntermediateDirectories: true)
            for channel in 0..<shape.channels {
                for sequence in 0..<shape.sequences {
                    let path = paths.rawFile(run: run, channel: channel, sequence: sequence)
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw FarmBenchError.io(path: path, reason: "cannot create")
                    }
                }
            }
        }
        // A private home: no site or user configuration file changes the plan.
        let farm = try Farm(databasePath: "\(directory)/state.sqlite",
                            environment: ["HOME": directory, "CALFARM_HOME": directory])
        let preview = try farm.plan(SubmitOptions(
            measurement: .dark, inputDir: paths.inputDir, outputDir: "\(directory)/out", runs: FarmSyntheticDark.runs,
            channels: Array(0..<shape.channels), overrides: ["process.n_jobs=\(shape.nJobs)"]))
        guard preview.graph.count == shape.unitCount else {
            throw FarmBenchError.unexpected("Farm.plan planned \(preview.graph.count) units, expected \(shape.unitCount)")
        }
        return preview.sbatchCalls
    }
}
