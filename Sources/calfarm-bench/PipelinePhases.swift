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
        for job in inputs.criticalPath() {
            if let step = stepOf[job] { steps[step, default: StepTimes()].critical += runTime[job] ?? 0 }
        }
    }

    /// Medians over repeats, one row per step in pipeline order.
    static func printMedians(_ runs: [PipelinePhases]) {
        let median = CalibrationTiming.median
        print("  step         units   window (first start .. last end)   units' run time, summed   on the critical path   share of wall")
        for step in Step.allCases {
            let times = runs.compactMap { $0.steps[step] }
            guard !times.isEmpty else { continue }
            let critical = median(times.map(\.critical))
            print(String(format: "  %-12@ %5d   %8.3f s                          %8.3f s                 %8.3f s             %5.1f %%",
                         step.rawValue as NSString, times[0].units, median(times.map(\.window)), median(times.map(\.summed)),
                         critical, 100 * median(runs.map { ($0.steps[step]?.window ?? 0) / $0.wall })))
        }
        print(String(format: "  %-12@         %8.3f s (wall − first submission to last end: start, plan, preflight, bookkeeping)",
                     "controller" as NSString, median(runs.map(\.controller))))
    }
}
