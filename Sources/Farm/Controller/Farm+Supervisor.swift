import FarmContract
import Foundation

/// How a supervisor's run ended.
public enum SupervisorOutcome: Sendable, Equatable {
    /// The request ended (its state); the supervisor released its lease.
    case requestEnded(String)
    /// Its time was nearly up: it submitted this successor job and released its lease.
    case handedOver(String)
    /// Another live supervisor holds the request's lease (its holder); this one did nothing.
    case otherSupervisor(String)
}

extension Farm {
    /// Submits the job that follows a SLURM request to its end (`calfarm supervise`), unless
    /// `supervisor.enabled` is false. Returns its SLURM id.
    func submitSupervisor(_ record: RequestRecord, configuration: Configuration) throws -> SlurmJobID? {
        guard record.executor == ExecutorKind.slurm.rawValue, configuration.supervisor.enabled else { return nil }
        let workspace = RequestWorkspace(root: record.workDir)
        let script = SupervisorScript(request: record.id, configuration: configuration, logDirectory: workspace.logs,
                                      calfarmPath: ControllerLocation.path(workerPath: workerPath(configuration), environment: environment),
                                      databasePath: Farm.absolute(store.path))
        // A database on a local disk is reachable from this host only: the supervisor must run
        // here (this host is a SLURM node) or not at all. On a shared filesystem any node will do.
        var placement: [String] = []
        if !store.filesystem.isShared {
            let host = ProcessInfo.processInfo.hostName
            let node = try? slurmClient.runner.runOnce(.scontrol, ["-o", "show", "node", host])
            guard node?.exitCode == 0 else {
                throw FarmError.invalidState("the state database \(store.path) is on a local filesystem "
                    + "(\(store.filesystem.name)) that other nodes cannot open, and this host (\(host)) is not a SLURM "
                    + "node; put --db on a shared filesystem, or run `calfarm supervise \(record.id)` on this host")
            }
            placement = ["--nodelist=\(host)"]
        }
        let text = try ScriptRenderer(configuration: configuration).render(script)
        let path = workspace.scriptFile(token: "supervisor-\(Int(Date().timeIntervalSince1970 * 1000))")
        try AtomicFile.write(Data(text.utf8), to: path)
        let id = try slurmClient.submit(SbatchRequest(scriptPath: path, jobName: script.jobName,
                                                      timeLimit: script.timeLimit, extraArguments: placement))
        log(record.id, "supervisor", "submitted as SLURM job \(id.job) (time limit \(script.timeLimit)"
            + (placement.isEmpty ? "" : ", on \(placement[0].dropFirst(11)), where the database is") + ")")
        return id
    }

    /// After a submission: submits a supervisor unless a live one follows the request. A failed
    /// `sbatch` of it is a note, not an error: the units are submitted and `--wait` still works.
    func ensureSupervisor(_ record: RequestRecord, configuration: Configuration, progress: (String) -> Void) -> String? {
        guard record.executor == ExecutorKind.slurm.rawValue, configuration.supervisor.enabled else { return nil }
        if let lease = try? store.lease(request: record.id, role: .supervisor), lease.expiresAt > Date() {
            return lease.slurmJobID
        }
        do {
            guard let id = try submitSupervisor(record, configuration: configuration) else { return nil }
            progress("supervisor: SLURM job \(id.job) follows the request and applies the retry policy")
            return String(id.job)
        } catch {
            progress("warning: no supervisor job (\(error)); retries happen only while submit --wait or status --watch runs")
            log(record.id, "supervisor", "not submitted: \(error)")
            return nil
        }
    }

    /// Follows `request` until it ends, as its only supervisor: every `supervisor.interval`
    /// seconds it refreshes the request from SLURM and applies the retry policy. Before its
    /// time limit (`supervisor.time_limit`, from `startedAt`) it submits a successor job and
    /// leaves. Safe beside `submit --wait`, `status --watch` and `resume` (the submitter lease).
    /// - Parameter slurmJobID: the SLURM job this runs in (`SLURM_JOB_ID`), shown by `status`.
    /// - Parameter patience: seconds to wait for a lease another supervisor holds.
    public func supervise(request: String, slurmJobID: String? = nil, startedAt: Date = Date(), patience: Double = 60,
                          progress: (String) -> Void = { _ in }) throws -> SupervisorOutcome {
        let record = try requestRecord(request)
        let configuration = try storedConfiguration(record)
        let settings = configuration.supervisor
        let leaseSeconds = max(3 * settings.interval, settings.interval + 120)
        let limit = Double(TimeLimit.seconds(settings.timeLimit) ?? 8 * 3600)
        // Leave a quarter of the limit, at most 10 minutes, for the handover.
        let handoverAt = startedAt.addingTimeInterval(limit - min(600, limit / 4))
        // A predecessor releases its lease just before submitting this job; a live holder after
        // a minute is another supervisor (started by hand, or a duplicate), which goes on alone.
        let waitUntil = Date().addingTimeInterval(patience)
        while let holder = try store.acquireLease(request: record.id, role: .supervisor, holder: .current,
                                                  expiresAt: Date().addingTimeInterval(leaseSeconds), slurmJobID: slurmJobID) {
            guard Date() < waitUntil else {
                progress("request \(record.id) already has a supervisor: \(Self.describe(holder))")
                return .otherSupervisor(holder.holder)
            }
            Thread.sleep(forTimeInterval: 2)
        }
        let me = slurmJobID.map { "SLURM job \($0)" } ?? "process \(LeaseHolder.current)"
        log(record.id, "supervisor", "\(me) follows the request")
        defer { try? store.releaseLease(request: record.id, role: .supervisor, holder: .current) }
        var failures = 0
        while true {
            let current: StatusReport
            do {
                let notes = try refresh(record)
                let retried = try retryAutomatically(record)
                for note in retried { progress(note) }
                current = try report(record, notes: notes)
                failures = 0
            } catch {
                // A busy database or an unreachable slurmctld is usually over by the next look.
                failures += 1
                log(record.id, "supervisor", "\(me) could not follow the request (\(failures) in a row): \(error)")
                guard failures < 10 else { throw error }
                Thread.sleep(forTimeInterval: settings.interval)
                continue
            }
            // Someone else resetting and submitting units right now: what looks ended may not be.
            let submitting = try store.lease(request: record.id, role: .submitter)
                .map { $0.expiresAt > Date() && $0.holder != LeaseHolder.current.description } ?? false
            let stuck = try current.jobs.running == 0 && store.openAttempts(request: record.id).isEmpty
            if !submitting, current.jobs.pending == 0 && current.jobs.running == 0 || stuck || current.supersededBy != nil
                || current.state == RequestState.cancelled.rawValue {
                let why = stuck && current.jobs.pending > 0
                    ? "nothing can start (\(current.jobs.pending) job units need resume)" : "request \(current.state)"
                log(record.id, "supervisor", "\(me) ends: \(why)")
                progress("request \(record.id): \(why)")
                return .requestEnded(current.state)
            }
            if slurmJobID != nil, Date() >= handoverAt {
                // Released first, so the successor never finds its predecessor still holding it.
                try store.releaseLease(request: record.id, role: .supervisor, holder: .current)
                do {
                    let next = try submitSupervisor(record, configuration: configuration).map { String($0.job) } ?? "?"
                    log(record.id, "supervisor", "\(me) hands over to SLURM job \(next) before its time limit")
                    progress("handing over to SLURM job \(next)")
                    return .handedOver(next)
                } catch {
                    log(record.id, "supervisor", "\(me) could not submit its successor (\(error)); it goes on")
                }
            }
            Thread.sleep(forTimeInterval: settings.interval)
            if let holder = try store.acquireLease(request: record.id, role: .supervisor, holder: .current,
                                                   expiresAt: Date().addingTimeInterval(leaseSeconds), slurmJobID: slurmJobID) {
                // Stalled past its lease (a frozen node) and replaced: the other one goes on.
                log(record.id, "supervisor", "\(me) lost its lease to \(Self.describe(holder)); leaving")
                return .otherSupervisor(holder.holder)
            }
        }
    }

    /// `SLURM job 123 (host/pid/nonce), lease until 12:00:05`.
    static func describe(_ lease: LeaseRecord) -> String {
        let formatter = ISO8601DateFormatter()
        return (lease.slurmJobID.map { "SLURM job \($0) " } ?? "") + "(\(lease.holder)), lease until "
            + formatter.string(from: lease.expiresAt)
    }
}
