import FarmContract
import Foundation

extension Farm {
    /// How long a local attempt the database calls running may go without its worker holding
    /// the lease: the controller marks it running when it spawns the worker, and the worker
    /// takes the lease only once it has started (loading its libraries takes seconds on a busy
    /// node). Until then a free lease does not prove the worker gone.
    static let workerStartupGrace: TimeInterval = 20

    /// Local attempts that the database calls queued or running although no process of the
    /// request holds its `LocalLease` any more (the controller was killed, the machine rebooted):
    /// a finished worker's result file is ingested (done), the rest become failed or cancelled,
    /// so `resume` reruns them. A live controller or worker keeps its attempts untouched.
    /// - Returns: one note per reclaimed attempt.
    @discardableResult
    func reclaimOrphans(_ record: RequestRecord) throws -> [String] {
        guard record.executor == ExecutorKind.local.rawValue else { return [] }
        let open = try store.openLocalAttempts(request: record.id)
        guard !open.isEmpty else { return [] }
        let workspace = RequestWorkspace(root: record.workDir)
        guard FileManager.default.fileExists(atPath: workspace.root) else { return [] }
        let notes = try LocalLease.withNoHolder(path: workspace.localLease) { () throws -> [String] in
            var updates: [AttemptUpdate] = [], notes: [String] = []
            for attempt in open {
                let verdict = ResultIngest.verdict(resultPath: workspace.resultPath(job: attempt.job))
                if attempt.state == .running, let started = attempt.startedAt,
                   Date().timeIntervalSince(started) < Self.workerStartupGrace {
                    if case .succeeded = verdict {} else { continue }  // perhaps a worker still starting: decided later
                }
                var update: AttemptUpdate
                switch verdict {
                case .succeeded where attempt.state == .running:
                    update = AttemptUpdate(attempt: attempt.id, state: .done, exitCode: 0, endedAt: Date())
                case _ where attempt.state == .queued:
                    update = AttemptUpdate(attempt: attempt.id, state: .cancelled, endedAt: Date(),
                                           reason: "interrupted before it started: its controller is gone")
                default:
                    update = AttemptUpdate(attempt: attempt.id, state: .failed, endedAt: Date(),
                                           reason: "interrupted: its controller is gone and no worker runs it")
                }
                update.warnings = verdict.warnings
                updates.append(update)
                notes.append("\(attempt.job): \(update.state!.rawValue) (\(update.reason ?? "its worker finished after its controller was gone"))")
            }
            try store.updateAttempts(updates)
            return notes
        } ?? []
        for note in notes { log(record.id, "reclaim", note) }
        return notes
    }
}
