import FarmContract
import Foundation

extension Farm {
    /// Refreshes (one batched squeue + sacct, result files of open jobs) and reports.
    /// `request` nil = the latest request.
    public func status(request: String?, refresh: Bool = true) throws -> StatusReport {
        let record = try requestRecord(request)
        var notes: [String] = []
        if refresh { notes = try self.refresh(record) }
        return try report(record, notes: notes)
    }

    /// Reconciles the request's open attempts with its executor; returns notes for the report.
    func refresh(_ record: RequestRecord) throws -> [String] {
        var notes = try reclaimOrphans(record)
        if record.executor == ExecutorKind.slurm.rawValue, try !store.openAttempts(request: record.id).isEmpty {
            do {
                notes += try SlurmReconciler(client: slurmClient, store: store).refresh(request: record.id, workspace: RequestWorkspace(root: record.workDir))
            } catch {
                notes.append("could not query SLURM: \(error)")
            }
        }
        try updateRequestState(record.id)
        return notes
    }

    func report(_ record: RequestRecord, notes: [String]) throws -> StatusReport {
        let counts = try store.statusCounts(request: record.id)
        var total = StatusReport.Counts()
        var steps: [String: StatusReport.Counts] = [:]
        var order: [String] = []
        for step in Step.allCases {
            guard let byState = counts[step] else { continue }
            var c = StatusReport.Counts()
            for (state, n) in byState { c.add(state, n); total.add(state, n) }
            steps[step.rawValue] = c
            order.append(step.rawValue)
        }
        var failed = try store.failedJobs(request: record.id).map { entry in
            StatusReport.FailedJob(job: entry.job.id, step: entry.job.step.rawValue, state: entry.job.state.rawValue,
                                   attempts: entry.job.attempts, reason: entry.reason ?? "unknown",
                                   log: entry.logPath, exitCode: entry.lastAttempt?.exitCode,
                                   slurmJobID: entry.lastAttempt.flatMap { a in
                                       a.slurmJobID.map { id in a.arrayTaskID.map { "\(id)_\($0)" } ?? id } })
        }
        let cancelled = total.cancelled > 0 ? try store.cancelledDependents(request: record.id, of: Set(failed.map(\.job))) : [:]
        for i in failed.indices { failed[i].cancelledDependents = cancelled[failed[i].job] ?? 0 }
        var missing: [StatusReport.Missing] = []
        let joinResult = RequestWorkspace(root: record.workDir).resultPath(job: JobUnitID.join)
        if case let .succeeded(result) = ResultIngest.verdict(resultPath: joinResult) {
            missing = result.missing.map { StatusReport.Missing(channel: $0.channel, asics: $0.asics, reason: $0.reason, module: $0.module) }
        }
        let current = try store.request(record.id) ?? record
        var notes = notes
        if let newer = current.supersededBy {
            notes.insert("superseded by request \(newer): its products replace this request's (submit --overwrite)", at: 0)
        }
        var report = StatusReport(request: record.id, state: current.state.rawValue, measurement: record.measurement.rawValue,
                                  executor: record.executor, createdAt: record.createdAt, jobs: total, steps: steps,
                                  stepOrder: order, failed: failed, missing: missing, notes: notes, outputDir: record.outputDir)
        report.supersededBy = current.supersededBy
        if record.executor == ExecutorKind.slurm.rawValue {
            if let lease = try store.lease(request: record.id, role: .supervisor), lease.expiresAt > Date() {
                let formatter = ISO8601DateFormatter()
                report.supervisor = (lease.slurmJobID.map { "SLURM job \($0)" } ?? lease.holder)
                    + ", following since " + formatter.string(from: lease.acquiredAt)
            } else if !current.state.isTerminal {
                report.notes.append("no supervisor follows this request: retries happen only while `submit --wait`, "
                    + "`status --watch` or `calfarm supervise` runs")
            }
        }
        report.warnings = Self.groupWarnings(try store.warnings(request: record.id))
        return report
    }

    /// Refreshes every `interval` seconds (growing ×1.5 up to 60 s while nothing changes) until the
    /// request ends, calling `onUpdate` after each refresh; applies the automatic retry policy.
    public func wait(request: String, interval: Double = 5, onUpdate: (StatusReport) -> Void = { _ in }) throws -> StatusReport {
        let record = try requestRecord(request)
        var delay = max(interval, 1)
        var last: StatusReport.Counts?
        while true {
            let notes = try refresh(record)
            let retried = try retryAutomatically(record)
            let current = try report(record, notes: notes + retried)
            onUpdate(current)
            if current.jobs.pending == 0 && current.jobs.running == 0 { return current }
            // A local request runs only while its controller does: with no attempt open, nothing
            // can start (what is pending needs `resume`), so waiting would never end.
            if record.executor == ExecutorKind.local.rawValue, try store.openLocalAttempts(request: record.id).isEmpty {
                return current
            }
            delay = current.jobs == last ? min(delay * 1.5, 60) : max(interval, 1)
            last = current.jobs
            Thread.sleep(forTimeInterval: delay)
        }
    }
}

extension StatusReport.Counts {
    /// Counts `n` units in `state` (planned and queued are pending).
    public mutating func add(_ state: JobState, _ n: Int) {
        total += n
        switch state {
        case .planned, .queued: pending += n
        case .running: running += n
        case .done: done += n
        case .failed: failed += n
        case .cancelled: cancelled += n
        }
    }
}

extension Farm {
    /// Warnings grouped by the step of their job unit, in step order.
    static func groupWarnings(_ warnings: [(job: String, message: String)]) -> [StatusReport.WarningGroup] {
        var groups: [String: StatusReport.WarningGroup] = [:]
        var units: [String: Set<String>] = [:]
        for (job, message) in warnings {
            let step = String(job.prefix { $0 != "." })
            groups[step, default: .init(step: step, count: 0, units: 0, examples: [])].count += 1
            if groups[step]!.examples.count < 5 { groups[step]!.examples.append("\(job): \(message)") }
            units[step, default: []].insert(job)
        }
        for step in groups.keys { groups[step]!.units = units[step]!.count }
        let order = Step.allCases.map(\.rawValue)
        return groups.values.sorted { (order.firstIndex(of: $0.step) ?? 99, $0.step) < (order.firstIndex(of: $1.step) ?? 99, $1.step) }
    }
}
