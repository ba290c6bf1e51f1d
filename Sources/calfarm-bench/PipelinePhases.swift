import Farm
import FarmContract
import Foundation

/// Where one request's wall time went, from its store: per step the window from its first
/// start to its last end and its units' summed run time, the critical path per step, and the
/// controller's share.
struct PipelinePhases {
    struct StepTimes {
        var units = 0
        var window = 0.0
        var summed = 0.0
        /// The workers' own step time (`metrics.seconds` of the result files): the work without
        /// process start, scheduling or the executor's clock granularity (SLURM: seconds).
        var stepTime = 0.0
        var critical = 0.0
    }

    var wall: Double
    /// First submission to last end (the executor's span).
    var span = 0.0
    var steps: [Step: StepTimes] = [:]

    /// Wall minus the executor's span: the controller's start, plan, preflight and final bookkeeping.
    var controller: Double { wall - span }

    init(database: String, wall: Double) throws {
        self.wall = wall
        let inputs = try Farm(databasePath: database).reportInputs(request: nil)
        let stepOf = Dictionary(uniqueKeysWithValues: inputs.jobs.map { ($0.id, $0.step) })
        let submitted = inputs.attempts.compactMap(\.submittedAt).min()
        let ended = inputs.attempts.compactMap(\.endedAt).max()
        if let submitted, let ended { span = ended.timeIntervalSince(submitted) }
        var firstStart: [Step: Date] = [:], lastEnd: [Step: Date] = [:], runTime: [String: Double] = [:]
        for attempt in inputs.attempts {
            guard let step = stepOf[attempt.job], let start = attempt.startedAt, let end = attempt.endedAt else { continue }
            steps[step, default: StepTimes()].units += 1
            steps[step]!.summed += end.timeIntervalSince(start)
            runTime[attempt.job, default: 0] += end.timeIntervalSince(start)
            firstStart[step] = min(firstStart[step] ?? start, start)
            lastEnd[step] = max(lastEnd[step] ?? end, end)
        }
        for (step, start) in firstStart { steps[step]!.window = lastEnd[step]!.timeIntervalSince(start) }
        for (job, result) in inputs.results {
            if let step = stepOf[job], steps[step] != nil { steps[step]!.stepTime += result.metrics["seconds"] ?? 0 }
        }
        for job in inputs.criticalPath() {
            if let step = stepOf[job] { steps[step, default: StepTimes()].critical += runTime[job] ?? 0 }
        }
    }

    /// Medians over repeats, one row per step in pipeline order.
    static func printMedians(_ runs: [PipelinePhases]) {
        let median = CalibrationTiming.median
        print("  step        units   window (first start .. last end)   units' run time, summed   their step time, summed   on the critical path   window / wall")
        for step in Step.allCases {
            let times = runs.compactMap { $0.steps[step] }
            guard !times.isEmpty else { continue }
            print("  " + step.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(format: " %5d   %8.3f s                         %8.3f s                 %8.3f s                 %8.3f s             %5.1f %%",
                           times[0].units, median(times.map(\.window)), median(times.map(\.summed)),
                           median(times.map(\.stepTime)), median(times.map(\.critical)), 100 * median(runs.map { ($0.steps[step]?.window ?? 0) / $0.wall })))
        }
        print("  controller" + String(format: "         %8.3f s (wall − first submission to last end: start, plan, preflight, bookkeeping)",
                                       median(runs.map(\.controller))))
    }
}
