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

    /// The job unit rows and dependency lists of this plan, as `calfarm submit` stores them
    /// (`FarmStore.createRequest(_:jobs:dependencySets:)`). Units sharing one dependency array
    /// (all process chunks of a channel) share one list without their edges being copied.
    public func storeRows(request id: String) -> (jobs: [JobUnitRecord], dependencies: DependencySets) {
        let workspace = RequestWorkspace(request: id, outputDir: request.outputDir)
        let jobs = units.map { unit in
            JobUnitRecord(request: id, id: unit.id, step: unit.step, runs: unit.runs, channel: unit.channel,
                          sequence: unit.sequence, asics: unit.asics, resultPath: workspace.resultPath(job: unit.id),
                          arrayGroup: unit.arrayGroup, timeLimit: unit.resources.timeLimit)
        }
        var sets = DependencySets()
        var previous: (dependencies: [JobDependency], list: DependencyList)? = nil
        for unit in units where !unit.dependencies.isEmpty {
            // Array == answers at once for the same storage, the usual case for shared arrays.
            if let previous, previous.dependencies == unit.dependencies {
                sets.add(previous.list, for: unit.id)
                continue
            }
            var list = DependencyList()
            for dependency in unit.dependencies {
                switch dependency.kind {
                case .success: list.success.append(dependency.unit)
                case .completion: list.completion.append(dependency.unit)
                }
            }
            sets.add(list, for: unit.id)
            previous = (unit.dependencies, list)
        }
        return (jobs, sets)
    }
}
