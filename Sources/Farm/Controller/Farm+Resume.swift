import FarmContract
import Foundation

extension Farm {
    /// Resubmits only failed, timed-out, cancelled, node-failed or never-run units and the not-done
    /// units downstream of them; completes submissions a killed controller left half-done.
    public func resume(request: String, progress: (String) -> Void = { _ in }) throws -> ResumeOutcome {
        let record = try requestRecord(request)
        if let newer = record.supersededBy {
            throw FarmError.invalidState("request \(record.id) was superseded by request \(newer), whose products replaced "
                + "its own; resume \(newer) instead")
        }
        // On SLURM a supervisor or a second terminal may be submitting at the same time; the
        // local executor runs only under its controller (its lease file keeps workers honest).
        guard record.executor == ExecutorKind.slurm.rawValue else { return try resumeUnits(record, progress: progress) }
        return try asSubmitterOrRefuse(record, "resume") { try resumeUnits(record, progress: progress) }
    }

    private func resumeUnits(_ record: RequestRecord, progress: (String) -> Void) throws -> ResumeOutcome {
        let recovered = try recoverSubmissions(record, progress: progress)
        _ = try refresh(record)
        let (graph, configuration) = try storedGraph(record)
        let jobs = try store.jobs(request: record.id)
        let state = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0.state) })
        let broken = Set(jobs.filter { $0.state.needsRerun }.map(\.id))
        // Everything downstream of a rerun reruns too (a done join must see the new process output).
        let rerun = broken.union(graph.downstream(of: broken)).filter { !(state[$0]?.isActive ?? false) }
        guard !rerun.isEmpty else {
            progress("nothing to resume: every job unit is done or still running")
            return ResumeOutcome(request: record.id, resubmitted: [], recovered: recovered, sbatchCalls: 0)
        }
        try store.resetForResume(request: record.id, jobs: Array(rerun))
        // A cancelled request runs again: the local executor stops when it sees `cancelled`.
        try store.setRequestState(.running, request: record.id)
        let calls = try launch(record, graph: graph, configuration: configuration, units: rerun,
                               active: try activeSlurmIDs(record.id), progress: progress)
        try updateRequestState(record.id)
        _ = ensureSupervisor(record, configuration: configuration, progress: progress)
        let ordered = graph.units.map(\.id).filter { rerun.contains($0) }
        log(record.id, "resume", "\(ordered.count) job units resubmitted, \(recovered) submissions recovered")
        return ResumeOutcome(request: record.id, resubmitted: ordered, recovered: recovered, sbatchCalls: calls)
    }

    /// Submissions whose token was recorded but never confirmed (the controller died around
    /// `sbatch`): if SLURM has the job, record it as submitted; otherwise mark it failed.
    func recoverSubmissions(_ record: RequestRecord, progress: (String) -> Void) throws -> Int {
        let pending = try store.submissions(request: record.id).filter { $0.state == .recorded }
        guard !pending.isEmpty else { return 0 }
        var recovered = 0
        let sbatch = Sbatch(runner: slurmClient.runner)
        for submission in pending {
            if record.executor == ExecutorKind.slurm.rawValue,
               let id = try sbatch.findSubmitted(name: SlurmExecutor.jobName(request: record.id), token: submission.token,
                                                 since: submission.createdAt.addingTimeInterval(-300)) {
                let logs = RequestWorkspace(root: record.workDir).logPaths(group: submission.arrayGroup, jobID: String(id.job))
                try store.markSubmitted(token: submission.token, slurmJobID: String(id.job), logPaths: logs)
                progress("found submission \(submission.token) already accepted as SLURM job \(id.job)")
                log(record.id, "recover", "submission \(submission.token) found in SLURM as job \(id.job)")
                recovered += 1
            } else {
                try store.markSubmissionFailed(token: submission.token, message: "not found in SLURM on resume")
            }
        }
        return recovered
    }

    /// SLURM ids of the request's queued/running units (dependencies of what resume submits).
    func activeSlurmIDs(_ request: String) throws -> [String: SlurmJobID] {
        var ids: [String: SlurmJobID] = [:]
        for attempt in try store.openAttempts(request: request) {
            if let text = attempt.slurmJobID, let job = Int(text) {
                ids[attempt.job] = SlurmJobID(job: job, arrayTask: attempt.arrayTaskID)
            }
        }
        return ids
    }

    /// The retry policy, applied while waiting: TIMEOUT reruns with `retry.timeout_factor` times
    /// the limit, NODE_FAIL/PREEMPTED/BOOT_FAIL rerun as is, up to `retry.max_attempts`; a unit that
    /// failed the same way twice in a row stops with its error.
    func retryAutomatically(_ record: RequestRecord) throws -> [String] {
        guard record.executor == ExecutorKind.slurm.rawValue else { return [] }
        // Runs on every refresh of `wait`: read only the configuration until there is a retry;
        // the graph (all units and edges) is rebuilt only then.
        let policy = try storedConfiguration(record).retry
        guard try store.jobs(request: record.id, states: [.failed]).contains(where: { $0.attempts < policy.maxAttempts }) else {
            return []
        }
        // Whoever submits right now (a supervisor, `resume`, another terminal) has the lease;
        // the failures are looked at again on the next refresh, under the lease.
        return try asSubmitter(record, waiting: 0) { try retry(record, policy: policy) } ?? []
    }

    private func retry(_ record: RequestRecord, policy: RetrySettings) throws -> [String] {
        // Re-read under the lease: a request cancelled or superseded meanwhile is not retried.
        guard let current = try store.request(record.id), current.state != .cancelled, current.supersededBy == nil else { return [] }
        var retry: [String] = []
        var notes: [String] = []
        for job in try store.jobs(request: record.id, states: [.failed]) where job.attempts < policy.maxAttempts {
            let attempts = try store.attempts(request: record.id, job: job.id)
            guard let kind = attempts.last.flatMap({ RetryKind(reason: $0.reason) }) else { continue }
            if attempts.count >= 2, RetryKind(reason: attempts[attempts.count - 2].reason) == kind {
                notes.append("\(job.id) failed with \(kind.rawValue) twice; not retried")
                continue
            }
            if kind == .timeout, let limit = job.timeLimit {
                let longer = TimeLimit.extended(limit, factor: policy.timeoutFactor)
                try store.setTimeLimit(longer, request: record.id, jobs: [job.id])
                notes.append("\(job.id) timed out; retrying with time limit \(longer)")
            } else {
                notes.append("\(job.id) ended \(kind.rawValue); retrying")
            }
            retry.append(job.id)
        }
        for note in notes { log(record.id, "retry", note) }
        guard !retry.isEmpty else { return notes }
        let (graph, refreshed) = try storedGraph(record)
        let downstream = graph.downstream(of: Set(retry))
        // Downstream units already in SLURM depend (afterany) on the attempt that failed, not on
        // its retry: a merge or join queued, or already started when that attempt ended, would
        // finish without the retried unit's products and never run again. They are cancelled in
        // SLURM and submitted anew, after the retry.
        let waiting = try store.openAttempts(request: record.id).filter { downstream.contains($0.job) }
        if !waiting.isEmpty {
            try? slurmClient.cancel(waiting.compactMap { attempt in
                attempt.slurmJobID.flatMap(Int.init).map { SlurmJobID(job: $0, arrayTask: attempt.arrayTaskID) }
            })
            try store.updateAttempts(waiting.map {
                AttemptUpdate(attempt: $0.id, state: .cancelled, endedAt: Date(), reason: "cancelled: resubmitted after the retry of \(retry.joined(separator: ", "))")
            })
            notes.append("\(waiting.count) downstream unit(s) already in SLURM resubmitted after the retry")
        }
        let state = Dictionary(uniqueKeysWithValues: try store.jobs(request: record.id).map { ($0.id, $0.state) })
        let ids = Set(retry).union(downstream).filter { !(state[$0]?.isActive ?? false) }
        try store.resetForResume(request: record.id, jobs: Array(ids))
        _ = try launch(record, graph: graph, configuration: refreshed, units: ids,
                       active: try activeSlurmIDs(record.id), progress: { _ in })
        return notes
    }
}

/// Failures the retry policy reruns automatically, recognised from the attempt's reason.
enum RetryKind: String {
    case timeout = "TIMEOUT", nodeFail = "NODE_FAIL", preempted = "PREEMPTED", bootFail = "BOOT_FAIL"

    init?(reason: String?) {
        guard let reason, let kind = RetryKind.allCases.first(where: { reason.hasPrefix($0.rawValue) }) else { return nil }
        self = kind
    }
}

extension RetryKind: CaseIterable {}
