import FarmContract
import Foundation

/// Brings the open attempts of a request up to date from SLURM and the workers' result files:
/// one batched `squeue` and one batched `sacct` per refresh, whatever the number of jobs.
/// squeue forgets finished jobs after MinJobAge and sacct may be disabled; the result file then
/// decides, and a job that left SLURM without one is failed explicitly rather than left running.
struct SlurmReconciler {
    var client: SlurmClient
    var store: FarmStore

    /// Returns notes for the status report (e.g. accounting disabled). Result files are found
    /// in the request's workspace, without a database query per attempt.
    func refresh(request: String, workspace: RequestWorkspace) throws -> [String] {
        let open = try store.openAttempts(request: request)
        guard !open.isEmpty else { return [] }
        var notes: [String] = []
        let ids = open.compactMap { attempt -> SlurmJobID? in
            guard let job = attempt.slurmJobID.flatMap({ Int($0) }) else { return nil }
            return SlurmJobID(job: job, arrayTask: attempt.arrayTaskID)
        }
        let arrays = Array(Set(ids.map { SlurmJobID(job: $0.job) })).sorted()
        var queue: [SlurmJobID: SqueueRecord] = [:]
        for record in try client.queue(arrays) { queue[record.id] = record }
        var accounting: [SlurmJobID: SacctRecord] = [:]
        let sacct = try client.accounting(arrays)
        if sacct.isAccountingDisabled {
            notes.append("SLURM accounting is disabled: states come from squeue and result files only")
        }
        for record in sacct.records { accounting[record.id] = record }

        var updates: [AttemptUpdate] = []
        var neverSatisfied: [SlurmJobID] = []
        for attempt in open {
            guard let jobText = attempt.slurmJobID, let job = Int(jobText) else { continue }
            let id = SlurmJobID(job: job, arrayTask: attempt.arrayTaskID)
            let resultPath = workspace.resultPath(job: attempt.job)
            let observation = SlurmObservation(queue: queue[id], accounting: accounting[id],
                                               accountingEnabled: !sacct.isAccountingDisabled)
            if observation.queue?.reason == .dependencyNeverSatisfied { neverSatisfied.append(id) }
            if let update = observation.update(for: attempt, resultPath: resultPath) { updates.append(update) }
        }
        if !neverSatisfied.isEmpty {
            // A site where --kill-on-invalid-dep misbehaves must not leave dependents pending forever.
            try client.cancel(neverSatisfied)
            for id in neverSatisfied {
                if let attempt = open.first(where: { $0.slurmJobID == String(id.job) && $0.arrayTaskID == id.arrayTask }) {
                    updates.append(AttemptUpdate(attempt: attempt.id, state: .cancelled, endedAt: Date(),
                                                 reason: "cancelled: a dependency failed (DependencyNeverSatisfied)"))
                }
            }
        }
        if !updates.isEmpty { try store.updateAttempts(updates) }
        return notes
    }
}

/// What SLURM says about one array task, and what that means for its attempt.
struct SlurmObservation {
    var queue: SqueueRecord?
    var accounting: SacctRecord?
    /// With accounting on, an end seen only in squeue waits for sacct (which lags by seconds)
    /// so the attempt is recorded with its exit code and times.
    var accountingEnabled = true

    func update(for attempt: AttemptRecord, resultPath: String?) -> AttemptUpdate? {
        let state = queue?.state ?? accounting?.state
        let node = queue?.nodeList ?? accounting?.nodeList
        switch state {
        case nil:
            // Gone from squeue and not (yet) in sacct: trust the result file if there is one.
            return ended(attempt, slurmState: nil, resultPath: resultPath, exitCode: nil, node: node)
        case let s? where !s.isTerminal:
            let running = s == .running || s == .completing || s == .configuring
            return AttemptUpdate(attempt: attempt.id, state: running ? .running : .queued, node: node,
                                 startedAt: running ? accounting?.start : nil)
        case let s?:
            if accounting == nil, accountingEnabled, let submitted = attempt.submittedAt,
               Date().timeIntervalSince(submitted) < 600 {
                return nil  // squeue knows the end, sacct not yet: conclude on a later refresh
            }
            return ended(attempt, slurmState: s, resultPath: resultPath,
                         exitCode: accounting?.exitCode, node: node)
        }
    }

    private func ended(_ attempt: AttemptRecord, slurmState: SlurmJobState?, resultPath: String?,
                       exitCode: Int?, node: String?) -> AttemptUpdate? {
        let verdict = resultPath.map { ResultIngest.verdict(resultPath: $0) } ?? .absent
        var update = AttemptUpdate(attempt: attempt.id, exitCode: exitCode, node: node,
                                   startedAt: accounting?.start, endedAt: accounting?.end ?? Date())
        update.warnings = verdict.warnings
        switch (slurmState, verdict) {
        case (nil, .absent):
            // Neither squeue nor sacct knows it yet (just submitted) or any more (accounting off).
            guard let submitted = attempt.submittedAt, Date().timeIntervalSince(submitted) > 120 else { return nil }
            update.state = .failed
            update.reason = "left SLURM without a result file (not in squeue; no accounting record)"
        case (.completed?, .succeeded), (nil, .succeeded):
            update.state = .done
        case let (_, .failed(result)):
            update.state = .failed
            update.reason = (slurmState.map { "\($0): " } ?? "") + (result.error ?? "worker reported failure")
        case let (.completed?, .invalid(reason)), let (nil, .invalid(reason)):
            update.state = .failed
            update.reason = reason
        case (.completed?, .absent):
            update.state = .failed
            update.reason = "COMPLETED without a result file"
        case let (s?, _):
            if case .cancelled = s {
                update.state = .cancelled
                update.reason = queue?.reason == .dependencyNeverSatisfied || accounting?.exitCode == 0
                    ? "CANCELLED (a dependency failed or the job was cancelled)" : "CANCELLED"
            } else {
                update.state = .failed
                update.reason = s.description
            }
        }
        return update
    }
}
