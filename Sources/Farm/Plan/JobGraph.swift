import FarmContract

/// The expanded request: job units in topological order (every unit after all it depends on),
/// with lookups, closures and the array grouping the SLURM executor submits.
public struct JobGraph: Sendable {
    public let request: PlanRequest
    /// Units in topological order (preprocess, gather, process, merge, join; each step by run,
    /// channel, sequence or chunk).
    public let units: [JobUnit]
    public let warnings: [PlanWarning]
    /// Requested channels without raw files in any run; not planned, reported missing by join.
    public let channelsWithoutData: [Int]
    private let indexByID: [String: Int]
    /// Parallel to `units`: the positions of each unit's dependencies. Units of one group share
    /// one array (copy-on-write), so this costs little even with thousands of edges per unit.
    private let dependencyIndices: [[Int]]

    init(request: PlanRequest, units: [JobUnit], dependencyIndices: [[Int]], indexByID: [String: Int],
         warnings: [PlanWarning], channelsWithoutData: [Int]) {
        self.request = request
        self.units = units
        self.dependencyIndices = dependencyIndices
        self.indexByID = indexByID
        self.warnings = warnings
        self.channelsWithoutData = channelsWithoutData
    }

    /// Builds a graph from units that are already in topological order (e.g. read back from the
    /// store for `resume`).
    /// - Throws: ``PlanError/duplicateUnit(id:)``, or ``PlanError/unknownDependency(unit:dependency:)``
    ///   when a unit depends on one that is not earlier in `units`.
    /// - Complexity: O(units + edges).
    public init(request: PlanRequest, units: [JobUnit], warnings: [PlanWarning] = [],
                channelsWithoutData: [Int] = []) throws {
        var index: [String: Int] = [:]
        index.reserveCapacity(units.count)
        var dependencyIndices: [[Int]] = []
        dependencyIndices.reserveCapacity(units.count)
        for (i, unit) in units.enumerated() {
            var positions: [Int] = []
            positions.reserveCapacity(unit.dependencies.count)
            for dependency in unit.dependencies {
                guard let position = index[dependency.unit] else {
                    throw PlanError.unknownDependency(unit: unit.id, dependency: dependency.unit)
                }
                positions.append(position)
            }
            guard index.updateValue(i, forKey: unit.id) == nil else { throw PlanError.duplicateUnit(id: unit.id) }
            dependencyIndices.append(positions)
        }
        self.init(request: request, units: units, dependencyIndices: dependencyIndices, indexByID: index,
                  warnings: warnings, channelsWithoutData: channelsWithoutData)
    }

    public var count: Int { units.count }

    /// The unit with this id.
    public subscript(id: String) -> JobUnit? { indexByID[id].map { units[$0] } }

    /// The position of the unit in ``units``.
    public func index(of id: String) -> Int? { indexByID[id] }

    /// The units of one step, in graph order.
    public func units(of step: Step) -> [JobUnit] { units.filter { $0.step == step } }

    /// Number of units per step (steps without units are absent).
    public var countsByStep: [Step: Int] {
        units.reduce(into: [:]) { $0[$1.step, default: 0] += 1 }
    }

    /// Every unit that transitively depends on one of `ids` — what must rerun after them. The seeds
    /// themselves are included only if they depend on another seed. Unknown ids are ignored.
    /// - Complexity: O(units + edges), one forward pass (units are topologically ordered).
    public func downstream(of ids: Set<String>) -> Set<String> {
        var active = [Bool](repeating: false, count: units.count)
        for id in ids { if let i = indexByID[id] { active[i] = true } }
        var result = Set<String>()
        for i in units.indices {
            for d in dependencyIndices[i] where active[d] {
                active[i] = true
                result.insert(units[i].id)
                break
            }
        }
        return result
    }

    /// Every unit that one of `ids` transitively depends on. Seeds are included only if another
    /// seed depends on them. Unknown ids are ignored.
    /// - Complexity: O(units + edges), one backward pass.
    public func upstream(of ids: Set<String>) -> Set<String> {
        var active = [Bool](repeating: false, count: units.count)
        var reached = [Bool](repeating: false, count: units.count)
        for id in ids { if let i = indexByID[id] { active[i] = true } }
        for i in units.indices.reversed() where active[i] {
            for d in dependencyIndices[i] {
                active[d] = true
                reached[d] = true
            }
        }
        return Set(units.indices.lazy.filter { reached[$0] }.map { units[$0].id })
    }

    /// The positions of the unit's dependencies in ``units``.
    public func dependencyIndices(of index: Int) -> [Int] { dependencyIndices[index] }
}
