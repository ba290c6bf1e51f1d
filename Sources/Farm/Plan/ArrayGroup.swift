import FarmContract

/// Units of one step submitted together as one SLURM job array. Task `k` (1-based) runs
/// `units[k - 1]`. Groups larger than the cluster's MaxArraySize are split when they are
/// submitted (``SubmissionBatch/make(graph:submitting:active:maxArraySize:tokenPrefix:)``).
public struct ArrayGroup: Sendable, Equatable {
    /// `preprocess`, `gather.r0819`, `process.ch03`, `merge.ch03`, `join` (CFEL: no channel part).
    public var name: String
    public var step: Step
    /// Member unit ids, in graph order.
    public var units: [String]
    /// The step's resources (every member has the same).
    public var resources: StepResources
    /// The union of the members' dependencies, by group.
    public var dependencies: [GroupDependency]
    /// True when every member has exactly the same dependencies, so the group-level dependency is
    /// exact. When false (merge: each ASIC waits for its own process chunk) the union is
    /// conservative: members wait for somewhat more than they need.
    public var isExact: Bool
}

/// A dependency of an array group on (part of) another group.
public struct GroupDependency: Sendable, Equatable {
    public var group: String
    public var kind: JobDependency.Kind
    /// nil: the whole group (SLURM: `afterok:<array job id>`); otherwise these member units
    /// (SLURM: `afterok:<array job id>_<task>` each).
    public var units: [String]?
}

extension JobGraph {
    /// The units grouped into job arrays: preprocess one group; gather one per run; process and
    /// merge one per channel; join one. A full 16-channel XFEL dark plans into 1 + 3 + 16 + 1 = 21.
    /// - Complexity: O(units + edges); members sharing one dependency array are scanned once.
    public func arrayGroups() -> [ArrayGroup] {
        var order: [String] = []
        var members: [String: [Int]] = [:]
        for (i, unit) in units.enumerated() {
            if members[unit.arrayGroup] == nil { order.append(unit.arrayGroup) }
            members[unit.arrayGroup, default: []].append(i)
        }
        return order.map { name in makeGroup(name, members: members[name]!, allMembers: members) }
    }

    private func makeGroup(_ name: String, members: [Int], allMembers: [String: [Int]]) -> ArrayGroup {
        var needed: [Int: JobDependency.Kind] = [:]   // dependency position → kind
        var previous: [Int]? = nil
        var isExact = true
        for member in members {
            let positions = dependencyIndices(of: member)
            if let previous {
                if previous == positions { continue }  // same (usually shared) array: already merged
                isExact = false
            }
            previous = positions
            for (position, dependency) in zip(positions, units[member].dependencies) {
                // success is the stricter kind; keep it if the two ever meet.
                if needed[position] != .success { needed[position] = dependency.kind }
            }
        }
        // Bucket by the dependency's group, in graph order, and collapse complete groups.
        var byGroup: [String: [Int]] = [:]
        var groupOrder: [String] = []
        for position in needed.keys.sorted() {
            let group = units[position].arrayGroup
            if byGroup[group] == nil { groupOrder.append(group) }
            byGroup[group, default: []].append(position)
        }
        var dependencies: [GroupDependency] = []
        for group in groupOrder {
            let positions = byGroup[group]!
            let kinds = Set(positions.map { needed[$0]! })
            for kind in JobDependency.Kind.allCases where kinds.contains(kind) {
                let ofKind = positions.filter { needed[$0] == kind }
                let whole = ofKind.count == allMembers[group]!.count
                dependencies.append(GroupDependency(group: group, kind: kind,
                                                    units: whole ? nil : ofKind.map { units[$0].id }))
            }
        }
        let first = units[members[0]]
        return ArrayGroup(name: name, step: first.step, units: members.map { units[$0].id },
                          resources: first.resources, dependencies: dependencies, isExact: isExact)
    }
}
