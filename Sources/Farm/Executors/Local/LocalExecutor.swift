import FarmContract
import Foundation

/// Runs batches on this machine with up to `parallel` worker processes, honouring the same
/// dependencies SLURM would (`success`: start only after the parent is done; `completion`: after
/// it ended), time limits, result files and attempts. Blocks until every unit has ended.
///
/// It holds the request's `LocalLease` (and so do its workers), so that a later `status` or
/// `resume` can tell attempts it left behind when killed. SIGINT/SIGTERM stop the workers, close
/// their attempts as failed ("interrupted") and the not yet started ones as cancelled, and end
/// with `FarmError.interrupted`: `resume` then reruns exactly those.
struct LocalExecutor {
    var store: FarmStore
    var workspace: RequestWorkspace
    var request: RequestRecord
    var specs: JobSpecFactory
    var workerPath: String
    var parallel: Int
    var environment: [String: String]

    private struct Task {
        var unit: JobUnit
        var specFile: String
        var index: Int
        var attempt: AttemptRecord
        var group: String
        var token: String
    }

    /// Runs everything in `batches`; units outside them count as already ended in their stored state.
    func run(_ batches: [SubmissionBatch], progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: workspace.root, withIntermediateDirectories: true)
        let lease = try LocalLease(path: workspace.localLease)
        defer { withExtendedLifetime(lease) {} }
        var tasks: [String: Task] = [:]
        var order: [String] = []
        for batch in batches {
            let specFile = try batch.stage(specs: specs, workspace: workspace, store: store, request: request.id)
            let attempts = try store.markSubmitted(token: batch.token, slurmJobID: nil,
                                                   logPaths: workspace.logPaths(group: batch.group, jobID: batch.token))
            for (attempt, unit) in zip(attempts, batch.units) {
                tasks[unit.id] = Task(unit: unit, specFile: specFile, index: (attempt.arrayTaskID ?? 1) - 1,
                                      attempt: attempt, group: batch.group, token: batch.token)
                order.append(unit.id)
            }
        }
        try schedule(tasks: tasks, order: order, progress: progress)
    }

    private func schedule(tasks: [String: Task], order: [String], progress: (String) -> Void) throws {
        // Outcome of every unit that matters for dependencies: stored state for units not run now.
        var ended: [String: JobState] = [:]
        for job in try store.jobs(request: request.id) where tasks[job.id] == nil { ended[job.id] = job.state }
        var waiting = order
        var running: [String: WorkerProcess] = [:]
        let finished = FinishedQueue()
        let signals = InterruptSignals { finished.interrupt($0) }
        defer { signals.restore() }

        while !waiting.isEmpty || !running.isEmpty {
            // Start what is ready; cancel what can no longer run.
            var still: [String] = []
            for id in waiting {
                let task = tasks[id]!
                let parents = task.unit.dependencies.map { ($0, ended[$0.unit]) }
                if parents.contains(where: { $0.1 == nil }) { still.append(id); continue }
                if let broken = parents.first(where: { $0.0.kind == .success && $0.1 != .done }) {
                    let reason = "dependency \(broken.0.unit) \(broken.1!.rawValue)"
                    try store.updateAttempts([AttemptUpdate(attempt: task.attempt.id, state: .cancelled, endedAt: Date(), reason: reason)])
                    ended[id] = .cancelled
                    progress("\(id): cancelled (\(reason))")
                    continue
                }
                if running.count >= parallel { still.append(id); continue }
                running[id] = try start(task, finished: finished)
            }
            waiting = still
            guard !running.isEmpty else {
                if !waiting.isEmpty { throw FarmError.invalidState("local executor stalled: \(waiting.prefix(3)) wait for units that never end") }
                break
            }
            let (id, ending): (String, WorkerProcess.Ending)
            // Wakes every second to notice a `calfarm cancel` from another terminal.
            guard let event = finished.next(timeout: 1) else {
                if try stopIfCancelled(running: running, finished: finished, progress: progress) { return }
                continue
            }
            switch event {
            case let .ended(unit, how): (id, ending) = (unit, how)
            case let .interrupted(signal):
                try stopAll(running: running, waiting: waiting, tasks: tasks, finished: finished, signal: signal,
                            progress: progress)
                throw FarmError.interrupted(request: request.id, signal: signal)
            }
            running[id] = nil
            ended[id] = try conclude(tasks[id]!, ending: ending, progress: progress)
            if try stopIfCancelled(running: running, finished: finished, progress: progress) { return }
        }
    }

    /// `calfarm cancel` from another terminal marks the request: stop the workers and return.
    private func stopIfCancelled(running: [String: WorkerProcess], finished: FinishedQueue,
                                 progress: (String) -> Void) throws -> Bool {
        guard try store.request(request.id)?.state == .cancelled else { return false }
        progress("request \(request.id) was cancelled: stopping \(running.count) workers")
        running.values.forEach { $0.stop() }
        var left = running.count
        while left > 0 { if case .ended = finished.next() { left -= 1 } }
        return true
    }

    /// After SIGINT/SIGTERM: stops the running workers and closes their attempts as failed, and
    /// the attempts not started yet as cancelled, so that `resume` reruns both.
    private func stopAll(running: [String: WorkerProcess], waiting: [String], tasks: [String: Task], finished: FinishedQueue,
                         signal: Int32, progress: (String) -> Void) throws {
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        progress("interrupted by \(name): stopping \(running.count) worker(s)")
        running.values.forEach { $0.stop() }
        var left = Set(running.keys)
        while !left.isEmpty {
            guard case let .ended(id, _) = finished.next(), left.remove(id) != nil else { continue }
            try store.updateAttempts([AttemptUpdate(attempt: tasks[id]!.attempt.id, state: .failed, endedAt: Date(),
                                                    reason: "interrupted by \(name)")])
        }
        try store.updateAttempts(waiting.map {
            AttemptUpdate(attempt: tasks[$0]!.attempt.id, state: .cancelled, endedAt: Date(), reason: "interrupted by \(name) before it started")
        })
    }

    private func start(_ task: Task, finished: FinishedQueue) throws -> WorkerProcess {
        var env = environment
        env[LocalLease.environmentKey] = workspace.localLease
        env["CALFARM_ATTEMPT"] = String(task.attempt.number)
        let id = task.unit.id
        let process = try WorkerProcess(
            executable: workerPath, arguments: ["run", "--specs", task.specFile, "--index", String(task.index)],
            environment: env, logPath: task.attempt.logPath ?? workspace.logPath(group: task.group, jobID: task.token, task: task.index + 1),
            timeLimitSeconds: TimeLimit.seconds(task.unit.resources.timeLimit),
            onEnd: { finished.push(id, $0) })
        try store.updateAttempts([AttemptUpdate(attempt: task.attempt.id, state: .running,
                                                node: ProcessInfo.processInfo.hostName, startedAt: Date())])
        return process
    }

    private func conclude(_ task: Task, ending: WorkerProcess.Ending, progress: (String) -> Void) throws -> JobState {
        let verdict = ResultIngest.verdict(resultPath: workspace.resultPath(job: task.unit.id))
        let outcome = LocalOutcome.judge(ending: ending, verdict: verdict)
        var update = AttemptUpdate(attempt: task.attempt.id, state: outcome.state, exitCode: outcome.exitCode,
                                   endedAt: Date(), reason: outcome.reason)
        update.warnings = verdict.warnings
        try store.updateAttempts([update])
        progress("\(task.unit.id): \(outcome.state.rawValue)\(outcome.reason.map { " (\($0))" } ?? "")")
        return outcome.state
    }
}

/// Completions reported by worker termination handlers (other threads) and interrupts from the
/// signal handler, consumed by the scheduling loop, which alone writes the database.
private final class FinishedQueue: @unchecked Sendable {  // guarded by `condition`
    enum Event {
        case ended(String, WorkerProcess.Ending)
        case interrupted(Int32)
    }

    private let condition = NSCondition()
    private var items: [Event] = []

    func push(_ id: String, _ ending: WorkerProcess.Ending) { add(.ended(id, ending)) }

    func interrupt(_ signal: Int32) { add(.interrupted(signal)) }

    private func add(_ event: Event) {
        condition.lock()
        items.append(event)
        condition.signal()
        condition.unlock()
    }

    func next() -> Event {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }

    /// The next event, or nil after `timeout` seconds without one.
    func next(timeout: Double) -> Event? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while items.isEmpty { if !condition.wait(until: deadline) { return nil } }
        return items.removeFirst()
    }
}

/// How a local attempt ended, from the process's exit and the result file.
struct LocalOutcome: Equatable {
    var state: JobState
    var exitCode: Int?
    var reason: String?

    static func judge(ending: WorkerProcess.Ending, verdict: ResultIngest.Verdict) -> LocalOutcome {
        switch (ending, verdict) {
        case (.timedOut, _): return LocalOutcome(state: .failed, exitCode: nil, reason: "TIMEOUT")
        case (.exited(0), .succeeded): return LocalOutcome(state: .done, exitCode: 0, reason: nil)
        case let (.exited(code), .failed(result)):
            return LocalOutcome(state: .failed, exitCode: Int(code), reason: result.error ?? "worker failed")
        case let (.exited(code), .invalid(reason)):
            return LocalOutcome(state: .failed, exitCode: Int(code), reason: reason)
        case let (.exited(code), _):
            return LocalOutcome(state: .failed, exitCode: Int(code), reason: "worker exited \(code) without a valid result file")
        case let (.signalled(signal), _):
            return LocalOutcome(state: .failed, exitCode: nil, reason: "worker killed by signal \(signal)")
        }
    }
}
