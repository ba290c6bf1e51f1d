import FarmContract
import Foundation

/// Submits batches as SLURM job arrays: for each, record the token, write the specs and the
/// script, `sbatch` with the exact parent tasks as dependencies, then record the attempts.
struct SlurmExecutor {
    var client: SlurmClient
    var store: FarmStore
    var workspace: RequestWorkspace
    var request: RequestRecord
    var configuration: Configuration
    var specs: JobSpecFactory
    var renderer: ScriptRenderer
    var workerPath: String

    /// SLURM ids of units submitted earlier (queued/running) or in this call, by unit id.
    var known: [String: SlurmJobID]
    /// Units per submitted array job id, to depend on a whole array when every task is needed.
    private var arrays: [Int: Set<String>] = [:]
    /// Testing hook (`CALFARM_CONTROLLER_FAULT=kill-after-sbatch:N`): the controller kills itself
    /// right after the N-th `sbatch` returns, before recording it — the worst moment to die.
    var killAfterSbatch: Int?
    private var sbatchCalls = 0

    init(client: SlurmClient, store: FarmStore, workspace: RequestWorkspace, request: RequestRecord,
         configuration: Configuration, specs: JobSpecFactory, workerPath: String,
         known: [String: SlurmJobID]) throws {
        self.client = client
        self.store = store
        self.workspace = workspace
        self.request = request
        self.configuration = configuration
        self.specs = specs
        self.renderer = try ScriptRenderer(configuration: configuration)
        self.workerPath = workerPath
        self.known = known
    }

    /// The SLURM job name every array of a request carries: one `sacct --name` finds them all.
    static func jobName(request: String) -> String { ArrayScript.jobName(request: request) }

    /// Renders a batch's script without submitting (used by `plan`).
    func script(for batch: SubmissionBatch, mailCarrier: Bool) throws -> String {
        try renderer.render(arrayScript(for: batch, mailCarrier: mailCarrier))
    }

    func arrayScript(for batch: SubmissionBatch, mailCarrier: Bool) -> ArrayScript {
        ArrayScript(group: batch.group, tasks: batch.units.count, resources: batch.resources,
                    configuration: configuration, requestID: request.id, token: batch.token,
                    logDirectory: workspace.logs, specFile: workspace.specFile(token: batch.token),
                    workerPath: workerPath, isMailCarrier: mailCarrier)
    }

    /// Submits one batch; returns the array job id.
    mutating func submit(_ batch: SubmissionBatch, mailCarrier: Bool, attempt: Int) throws -> SlurmJobID {
        let script = try renderer.render(arrayScript(for: batch, mailCarrier: mailCarrier))
        let scriptPath = workspace.scriptFile(token: batch.token)
        try AtomicFile.write(Data(script.utf8), to: scriptPath)
        _ = try batch.stage(specs: specs, workspace: workspace, store: store, request: request.id)

        let sbatch = SbatchRequest(scriptPath: scriptPath, jobName: Self.jobName(request: request.id),
                                   comment: batch.token, dependencies: try dependencies(of: batch),
                                   killOnInvalidDependency: true, timeLimit: batch.resources.timeLimit,
                                   extraArguments: ["--export=ALL,CALFARM_ATTEMPT=\(attempt)"])
        let started = Date().addingTimeInterval(-60)
        let id: SlurmJobID
        do {
            id = try client.submit(sbatch)
        } catch {
            // sbatch can fail after SLURM accepted the job (toil#5459): look before giving up.
            if let found = try? Sbatch(runner: client.runner).findSubmitted(
                name: Self.jobName(request: request.id), token: batch.token, since: started) {
                id = found
            } else {
                try? store.markSubmissionFailed(token: batch.token, message: String(describing: error))
                throw error
            }
        }
        sbatchCalls += 1
        if sbatchCalls == killAfterSbatch { kill(getpid(), SIGKILL) }
        try record(group: batch.group, token: batch.token, units: batch.units.map(\.id), id: id)
        return id
    }

    /// Records attempts (and their log paths) for an accepted submission.
    mutating func record(group: String, token: String, units: [String], id: SlurmJobID) throws {
        let attempts = try store.markSubmitted(token: token, slurmJobID: String(id.job),
                                               logPaths: workspace.logPaths(group: group, jobID: String(id.job)))
        for attempt in attempts {
            known[attempt.job] = SlurmJobID(job: id.job, arrayTask: attempt.arrayTaskID)
        }
        arrays[id.job] = Set(units)
    }

    /// The batch's dependencies as SLURM ids: a whole array when the batch needs all its tasks,
    /// otherwise the exact tasks.
    private func dependencies(of batch: SubmissionBatch) throws -> [SlurmDependency] {
        var result: [SlurmDependency] = []
        for kind in JobDependency.Kind.allCases {
            let units = batch.dependencies.filter { $0.kind == kind }.map(\.unit)
            guard !units.isEmpty else { continue }
            var ids: [SlurmJobID] = []
            var byArray: [Int: [SlurmJobID]] = [:]
            for unit in units {
                guard let id = known[unit] else {
                    throw FarmError.invalidState("job unit \(batch.units[0].id) depends on \(unit), which has no SLURM id")
                }
                byArray[id.job, default: []].append(id)
            }
            for (array, tasks) in byArray.sorted(by: { $0.key < $1.key }) {
                if let members = arrays[array], members.count == tasks.count {
                    ids.append(SlurmJobID(job: array))
                } else {
                    ids.append(contentsOf: tasks.sorted())
                }
            }
            result.append(SlurmDependency(kind == .success ? .afterOK : .afterAny, ids))
        }
        return result
    }
}
