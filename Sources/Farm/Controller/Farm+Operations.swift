import FarmContract
import Foundation

extension Farm {
    /// Plans a request without storing or submitting anything: the DAG, the effective
    /// configuration and the rendered scripts.
    public func plan(_ options: SubmitOptions) throws -> PlanPreview {
        let requested = try configuration(for: options)
        let graph = try Planner.plan(planRequest(options, configuration: requested),
                                     worker: WorkerProbe(path: workerPath(requested), environment: environment))
        _ = try checkProductOwnership(graph, overwrite: options.overwrite)
        // The plan completes the configuration with what it found in the raw files (detector).
        let configuration = graph.request.configuration
        let id = "plan-preview"
        let record = graph.requestRecord(id: id, executor: options.executor)
        let batches = SubmissionBatch.make(graph: graph, submitting: Set(graph.units.map(\.id)), active: [],
                                           maxArraySize: configuration.maxArraySize, tokenPrefix: "\(id).s1")
        let executor = try SlurmExecutor(
            client: slurmClient, store: store, workspace: RequestWorkspace(root: record.workDir), request: record,
            configuration: configuration, specs: JobSpecFactory(graph: graph, requestID: id),
            workerPath: workerPath(configuration), known: [:])
        let scripts = try batches.enumerated().map { i, batch in
            (group: batch.group, script: try executor.script(for: batch, mailCarrier: i == batches.count - 1))
        }
        var preview = PlanPreview(graph: graph, configurationYAML: configuration.effectiveYAML, scripts: scripts,
                           sbatchCalls: batches.count)
        preview.executor = options.executor
        return preview
    }

    /// Plans, stores and submits a request. With the local executor this runs the whole request
    /// before returning. `progress` receives one line per notable event.
    public func submit(_ options: SubmitOptions, progress: (String) -> Void = { _ in }) throws -> SubmitOutcome {
        let requested = try configuration(for: options)
        let graph = try Planner.plan(planRequest(options, configuration: requested),
                                     worker: WorkerProbe(path: workerPath(requested), environment: environment))
        let superseded = try checkProductOwnership(graph, overwrite: options.overwrite)
        // The plan completes the configuration with what it found in the raw files (detector).
        let configuration = graph.request.configuration
        let id = RequestID.make(measurement: options.measurement)
        let record = graph.requestRecord(id: id, executor: options.executor)
        let workspace = RequestWorkspace(root: record.workDir)
        try workspace.create()
        let (jobs, dependencies) = graph.storeRows(request: id)
        try store.createRequest(record, jobs: jobs, dependencySets: dependencies)
        onRequestCreated?(id)
        for (old, what) in superseded {
            try store.setSuperseded(request: old.id, by: id)
            log(old.id, "superseded", "by request \(id), which replaces \(what)")
            log(id, "supersedes", "request \(old.id) (\(what))")
            progress("superseding request \(old.id): this request replaces \(what)")
        }
        for warning in graph.warnings { progress("warning: \(warning)") }
        let calls = try launch(record, graph: graph, configuration: configuration,
                               units: Set(graph.units.map(\.id)), active: [:], progress: progress)
        try updateRequestState(id)
        log(id, "submit", "\(graph.count) job units, \(calls) sbatch calls, executor \(options.executor.rawValue)")
        let supervisor = ensureSupervisor(record, configuration: configuration, progress: progress)
        return SubmitOutcome(request: id, jobs: graph.count, sbatchCalls: calls, executor: options.executor.rawValue,
                             warnings: graph.warnings.map(\.description), supervisorJob: supervisor)
    }

    /// Hands `units` to the request's executor. Returns the number of `sbatch` calls.
    func launch(_ record: RequestRecord, graph: JobGraph, configuration: Configuration, units: Set<String>,
                active: [String: SlurmJobID], progress: (String) -> Void) throws -> Int {
        let workspace = RequestWorkspace(root: record.workDir)
        // A rerun unit's previous result must not speak for the new attempt (e.g. a done join
        // whose rerun crashes before writing a result would otherwise still look done).
        for unit in units {
            try? FileManager.default.removeItem(atPath: workspace.resultPath(job: unit))
        }
        let round = try store.submissions(request: record.id).count + 1
        let batches = SubmissionBatch.make(graph: graph, submitting: units, active: Set(active.keys),
                                           maxArraySize: configuration.maxArraySize,
                                           tokenPrefix: "\(record.id).s\(round)")
        let specs = JobSpecFactory(graph: graph, requestID: record.id, configurationYAML: record.configuration)
        let attempts = try Dictionary(store.jobs(request: record.id).map { ($0.id, $0.attempts) }, uniquingKeysWith: max)
        switch ExecutorKind(rawValue: record.executor) ?? .slurm {
        case .local:
            let local = LocalExecutor(store: store, workspace: workspace, request: record, specs: specs,
                                      workerPath: workerPath(configuration), parallel: configuration.localWorkers,
                                      environment: environment)
            try local.run(batches, progress: progress)
            return 0
        case .slurm:
            var executor = try SlurmExecutor(client: slurmClient, store: store, workspace: workspace, request: record,
                                             configuration: configuration, specs: specs,
                                             workerPath: workerPath(configuration), known: active)
            executor.killAfterSbatch = environment["CALFARM_CONTROLLER_FAULT"].flatMap {
                $0.hasPrefix("kill-after-sbatch:") ? Int($0.dropFirst("kill-after-sbatch:".count)) : nil
            }
            for (i, batch) in batches.enumerated() {
                let attempt = (batch.units.map { attempts[$0.id] ?? 0 }.max() ?? 0) + 1
                let id = try executor.submit(batch, mailCarrier: i == batches.count - 1, attempt: attempt)
                progress("submitted \(batch.group) (\(batch.units.count) tasks) as SLURM job \(id)")
                log(record.id, "sbatch", "\(batch.group): \(batch.units.count) tasks as SLURM job \(id) (token \(batch.token))")
            }
            return batches.count
        }
    }

    /// `general.worker`, else `CALFARM_WORKER`, else `calfarm-worker` beside the running program.
    func workerPath(_ configuration: Configuration) -> String {
        WorkerLocation.path(configured: configuration.general.worker, environment: environment)
    }

    func updateRequestState(_ id: String) throws {
        var totals: [JobState: Int] = [:]
        for (_, counts) in try store.statusCounts(request: id) {
            for (state, n) in counts { totals[state, default: 0] += n }
        }
        let current = try store.request(id)?.state
        if current == .cancelled { return }
        try store.setRequestState(RequestState.derived(from: totals), request: id)
    }

    /// Refuses a plan whose products another request owns, unless `overwrite`; then returns
    /// those requests (they become superseded once the new one is stored).
    func checkProductOwnership(_ graph: JobGraph, overwrite: Bool) throws -> [(record: RequestRecord, what: String)] {
        let owners = try requestsSharingProducts(with: graph.request, steps: try graph.request.plannedSteps())
        guard !owners.isEmpty, !overwrite else { return owners }
        let problems = owners.map {
            PlanError.productsOfAnotherRequest(request: $0.record.id, state: $0.record.state.rawValue, what: $0.what,
                                               outputDir: graph.request.outputDir)
        }
        throw problems.count == 1 ? problems[0] : PlanError.refused(problems)
    }
}
