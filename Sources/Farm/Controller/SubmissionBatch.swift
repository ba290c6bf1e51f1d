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
        var order: [String] = []
        var members: [String: [JobUnit]] = [:]
        for unit in graph.units where ids.contains(unit.id) {
            let key = "\(unit.arrayGroup)|\(unit.resources.timeLimit)"
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(unit)
        }
        let limit = max(1, maxArraySize - 1)  // task ids run 1…N and must stay below MaxArraySize
        var batches: [SubmissionBatch] = []
        for key in order {
            let units = members[key]!
            var start = 0
            while start < units.count {
                let part = Array(units[start..<min(start + limit, units.count)])
                let inside = Set(part.map(\.id))
                var seen = Set<JobDependency>()
                var dependencies: [JobDependency] = []
                for unit in part {
                    for dependency in unit.dependencies where !inside.contains(dependency.unit)
                        && (ids.contains(dependency.unit) || active.contains(dependency.unit))
                        && seen.insert(dependency).inserted {
                        dependencies.append(dependency)
                    }
                }
                let first = part[0]
                batches.append(SubmissionBatch(
                    group: first.arrayGroup, step: first.step, units: part, resources: first.resources,
                    token: "\(tokenPrefix).b\(batches.count)", dependencies: dependencies))
                start += limit
            }
        }
        return batches
    }
}
