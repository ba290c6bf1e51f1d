import FarmContract

/// One array to hand to an executor: the units of one array group (and time limit) that are
/// being submitted now, in task order (task k runs `units[k - 1]`), and the units outside the
/// batch they must wait for. The one place that cuts array groups below MaxArraySize.
public struct SubmissionBatch: Sendable {
    /// The array group's name (`gather.r0819`, …).
    public var group: String
    public var step: Step
    public var units: [JobUnit]
    public var resources: StepResources
    /// The idempotency token of this array's submission (`<tokenPrefix>.b<index>`).
    public var token: String
    /// Dependencies on units submitted earlier in this call or still queued/running; edges to
    /// units already done are satisfied and dropped.
    public var dependencies: [JobDependency]

    /// Groups `ids` by array group (and time limit, which can differ after a TIMEOUT retry) in
    /// graph order, splitting groups larger than `maxArraySize`.
    /// - Parameters:
    ///   - active: units queued or running from earlier submissions (still worth waiting for).
    ///   - tokenPrefix: unique per submit/resume call, e.g. `<request>.s3`.
    ///   - maxArraySize: SLURM's MaxArraySize; each batch holds at most `maxArraySize - 1` tasks.
    public static func make(graph: JobGraph, submitting ids: Set<String>, active: Set<String>,
                            maxArraySize: Int, tokenPrefix: String) -> [SubmissionBatch] {
        var members: [[JobUnit]] = []
        var indexOfKey: [GroupKey: Int] = [:]
        var last: (key: GroupKey, index: Int)? = nil
        for unit in graph.units where ids.contains(unit.id) {
            let key = GroupKey(group: unit.arrayGroup, timeLimit: unit.resources.timeLimit)
            // Units of a group are usually consecutive: the dictionary is consulted when the key changes.
            if let last, last.key == key {
                members[last.index].append(unit)
                continue
            }
            let index = indexOfKey[key] ?? members.count
            if index == members.count {
                indexOfKey[key] = index
                members.append([])
            }
            members[index].append(unit)
            last = (key, index)
        }
        let limit = max(1, maxArraySize - 1)  // task ids run 1…N and must stay below MaxArraySize
        var batches: [SubmissionBatch] = []
        for units in members {
            var start = 0
            while start < units.count {
                let part = Array(units[start..<min(start + limit, units.count)])
                let first = part[0]
                batches.append(SubmissionBatch(
                    group: first.arrayGroup, step: first.step, units: part, resources: first.resources,
                    token: "\(tokenPrefix).b\(batches.count)",
                    dependencies: outsideDependencies(of: part, submitting: ids, active: active)))
                start += limit
            }
        }
        return batches
    }

    /// The distinct dependencies of `part`'s units, in first-use order, on units outside the part
    /// that are being submitted or still active.
    private static func outsideDependencies(of part: [JobUnit], submitting ids: Set<String>,
                                            active: Set<String>) -> [JobDependency] {
        // Distinct first: the 16 process chunks of a channel share one array of thousands of
        // gathers, which is then looked at once instead of once per chunk.
        var seen = Set<JobDependency>()
        var candidates: [JobDependency] = []
        var previous: [JobDependency] = []
        for unit in part where !unit.dependencies.isEmpty && unit.dependencies != previous {
            previous = unit.dependencies
            for dependency in unit.dependencies where seen.insert(dependency).inserted {
                candidates.append(dependency)
            }
        }
        guard !candidates.isEmpty else { return [] }
        // Members of the part among the candidates, hashing the smaller of the two lists.
        let inside: Set<String>
        if part.count <= candidates.count {
            inside = Set(part.map(\.id))
        } else {
            let wanted = Set(candidates.map(\.unit))
            inside = Set(part.lazy.map(\.id).filter(wanted.contains))
        }
        return candidates.filter {
            !inside.contains($0.unit) && (ids.contains($0.unit) || active.contains($0.unit))
        }
    }

    /// Units are batched per array group and time limit (a TIMEOUT retry extends one unit's).
    private struct GroupKey: Hashable {
        var group: String
        var timeLimit: String
    }
}

extension SubmissionBatch {
    /// What every executor does last before it starts a batch: write the spec file (task k reads
    /// entry k − 1) and record the submission token with the carried units, so a controller that
    /// dies from here on is recovered by `resume`.
    /// - Returns: the spec file's path.
    func stage(specs: JobSpecFactory, workspace: RequestWorkspace, store: FarmStore, request: String) throws -> String {
        let specFile = workspace.specFile(token: token)
        try SpecFile.write(units.map { specs.makeSpec(for: $0, resultPath: workspace.resultPath(job: $0.id)) }, to: specFile)
        let carried = units.enumerated().map { SubmittedJob(job: $1.id, arrayTaskID: $0 + 1) }
        try store.recordSubmissionToken(token, request: request, arrayGroup: group, jobs: carried)
        return specFile
    }
}
