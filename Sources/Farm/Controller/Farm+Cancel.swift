import FarmContract
import Foundation

extension Farm {
    /// Cancels every queued or running unit of the request (and marks never-run units cancelled).
    public func cancel(request: String) throws -> CancelOutcome {
        let record = try requestRecord(request)
        guard record.executor == ExecutorKind.slurm.rawValue else { return try cancelUnits(record) }
        return try asSubmitterOrRefuse(record, "cancel") { try cancelUnits(record) }
    }

    private func cancelUnits(_ record: RequestRecord) throws -> CancelOutcome {
        var stopped: [String] = []
        if let supervisor = try store.lease(request: record.id, role: .supervisor)?.slurmJobID, let job = Int(supervisor) {
            // It would notice the cancellation itself within an interval; this ends it at once.
            try? slurmClient.cancel([SlurmJobID(job: job)])
            stopped.append(supervisor)
        }
        let open = try store.openAttempts(request: record.id)
        let arrays = Array(Set(open.compactMap { $0.slurmJobID.flatMap(Int.init) })).sorted()
        if record.executor == ExecutorKind.slurm.rawValue, !arrays.isEmpty {
            try slurmClient.cancel(arrays.map { SlurmJobID(job: $0) })
        }
        let unfinished = try store.jobs(request: record.id, states: [.planned, .queued, .running]).map(\.id)
        // A request with nothing left to run keeps its state (a done request stays done).
        guard !unfinished.isEmpty else {
            return CancelOutcome(request: record.id, cancelled: 0, slurmJobs: stopped)
        }
        try store.markJobsCancelled(request: record.id, jobs: unfinished, reason: "cancelled by the user")
        try store.setRequestState(.cancelled, request: record.id)
        log(record.id, "cancel", "\(unfinished.count) job units cancelled, SLURM jobs \(arrays)")
        return CancelOutcome(request: record.id, cancelled: unfinished.count, slurmJobs: arrays.map(String.init) + stopped)
    }

    /// The log files of a job unit's attempts, oldest first. `request` nil = the latest request.
    public func logs(request: String?, job: String) throws -> [LogEntry] {
        let record = try requestRecord(request)
        guard try store.job(request: record.id, id: job) != nil else {
            throw FarmError.unknownJob(request: record.id, job: job)
        }
        return try store.attempts(request: record.id, job: job).compactMap { attempt in
            attempt.logPath.map { LogEntry(job: job, attempt: attempt.number, path: $0, state: attempt.state.rawValue) }
        }
    }
}
