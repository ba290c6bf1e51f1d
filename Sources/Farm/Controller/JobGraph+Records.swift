import Foundation

extension JobGraph {
    /// The `request` row of this plan, as `calfarm submit` stores it.
    public func requestRecord(id: String, executor: ExecutorKind, createdAt: Date = Date()) -> RequestRecord {
        RequestRecord(id: id, createdAt: createdAt, facility: request.facility, measurement: request.measurement,
                      runs: request.runs, channels: request.channels, asics: request.asics,
                      runType: request.runType.rawValue, inputDir: request.inputDir, outputDir: request.outputDir,
                      executor: executor.rawValue, configuration: request.configuration.effectiveYAML,
                      workDir: RequestWorkspace(request: id, outputDir: request.outputDir).root)
    }

    /// The job unit and dependency rows of this plan, as `calfarm submit` stores them.
    public func storeRows(request id: String) -> (jobs: [JobUnitRecord], edges: [DependencyRecord]) {
        let workspace = RequestWorkspace(request: id, outputDir: request.outputDir)
        let jobs = units.map { unit in
            JobUnitRecord(request: id, id: unit.id, step: unit.step, runs: unit.runs, channel: unit.channel,
                          sequence: unit.sequence, asics: unit.asics, resultPath: workspace.resultPath(job: unit.id),
                          arrayGroup: unit.arrayGroup, timeLimit: unit.resources.timeLimit)
        }
        let edges = units.flatMap { unit in
            unit.dependencies.map { DependencyRecord(request: id, job: unit.id, dependsOn: $0.unit,
                                                     kind: $0.kind == .completion ? .completion : .success) }
        }
        return (jobs, edges)
    }
}
