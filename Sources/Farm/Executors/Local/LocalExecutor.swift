import FarmContract
import Foundation

/// Runs batches on this machine with up to `parallel` worker processes, honouring the same
/// dependencies SLURM would (`success`: start only after the parent is done; `completion`: after
/// it ended), time limits, result files and attempts. Blocks until every unit has ended.
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
            let (id, ending) = finished.next()
            running[id] = nil
            ended[id] = try conclude(tasks[id]!, ending: ending, progress: progress)
            // `calfarm cancel` from another terminal marks the request; stop here too.
            if try store.request(request.id)?.state == .cancelled {
                progress("request \(request.id) was cancelled: stopping \(running.count) workers")
                running.values.forEach { $0.stop() }
                for _ in running.keys { _ = finished.next() }
                return
            }
        }
    }

    private func start(_ task: Task, finished: FinishedQueue) throws -> WorkerProcess {
        var env = environment
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
        try store.updateAttempts([AttemptUpdate(attempt: task.attempt.id, state: outcome.state, exitCode: outcome.exitCode,
                                                endedAt: Date(), reason: outcome.reason)])
        progress("\(task.unit.id): \(outcome.state.rawValue)\(outcome.reason.map { " (\($0))" } ?? "")")
        return outcome.state
    }
}

/// Completions reported by worker termination handlers (other threads), consumed by the
/// scheduling loop, which alone writes the database.
private final class FinishedQueue: @unchecked Sendable {  // guarded by `condition`
    private let condition = NSCondition()
    private var items: [(String, WorkerProcess.Ending)] = []

    func push(_ id: String, _ ending: WorkerProcess.Ending) {
        condition.lock()
        items.append((id, ending))
        condition.signal()
        condition.unlock()
    }

    func next() -> (String, WorkerProcess.Ending) {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
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
