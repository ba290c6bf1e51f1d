import Foundation

/// One job unit's dependency list, split by kind: what a `dependencySet` row holds (schema v2).
///
/// Equality compares every member; the hash covers only the counts and the end members, so
/// deduplicating 100,000 lists of thousands of members hashes a handful of strings per list
/// (lists built from the planner's shared arrays then compare by storage identity, cheaply).
public struct DependencyList: Hashable, Sendable {
    /// Units that must succeed first (SLURM `afterok`).
    public var success: [String]
    /// Units that must end first, whatever their outcome (SLURM `afterany`).
    public var completion: [String]

    public init(success: [String] = [], completion: [String] = []) {
        self.success = success
        self.completion = completion
    }

    public static func == (lhs: DependencyList, rhs: DependencyList) -> Bool {
        lhs.success == rhs.success && lhs.completion == rhs.completion
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(success.count)
        hasher.combine(completion.count)
        hasher.combine(success.first)
        hasher.combine(success.last)
        hasher.combine(completion.first)
        hasher.combine(completion.last)
    }
}

/// A request's dependencies as `createRequest` stores them: each distinct list once, and for
/// each unit that has dependencies the index of its list.
///
/// Built from edges (`createRequest(_:jobs:dependencies:)`), or list by list with `add(_:for:)`,
/// which spares a planner whose units share dependency arrays from spelling out every edge
/// (1.7M `DependencyRecord`s for a 100,000-unit dark).
public struct DependencySets: Sendable {
    /// The distinct lists, in order of first use.
    public private(set) var lists: [DependencyList] = []
    /// Index into `lists` per job that has dependencies.
    public private(set) var listOfJob: [String: Int] = [:]
    /// The number of edges (members summed over the jobs).
    public private(set) var edgeCount = 0
    private var indexOfList: [DependencyList: Int] = [:]

    public init() {}

    /// Records `list` as the dependencies of `job` (replacing any given before). An empty list
    /// records nothing.
    public mutating func add(_ list: DependencyList, for job: String) {
        let size = list.success.count + list.completion.count
        guard size > 0 else { return }
        let index: Int
        if let known = indexOfList[list] {
            index = known
        } else {
            index = lists.count
            indexOfList[list] = index
            lists.append(list)
        }
        if let replaced = listOfJob.updateValue(index, forKey: job) {
            edgeCount -= lists[replaced].success.count + lists[replaced].completion.count
        }
        edgeCount += size
    }

    /// Groups `edges` by job. Edges usually arrive job by job, so the job dictionary is consulted
    /// only when the job changes. `checkRequest` is called with each edge (request id check).
    init(_ edges: [DependencyRecord], checkRequest: (DependencyRecord) throws -> Void) rethrows {
        var jobs: [String] = []
        var perJob: [DependencyList] = []
        var slotOfJob: [String: Int] = [:]
        var current = -1
        var currentJob: String? = nil
        for edge in edges {
            try checkRequest(edge)
            if edge.job != currentJob {
                if let slot = slotOfJob[edge.job] {
                    current = slot
                } else {
                    current = perJob.count
                    slotOfJob[edge.job] = current
                    perJob.append(DependencyList())
                    jobs.append(edge.job)
                }
                currentJob = edge.job
            }
            switch edge.kind {
            case .success: perJob[current].success.append(edge.dependsOn)
            case .completion: perJob[current].completion.append(edge.dependsOn)
            }
        }
        listOfJob.reserveCapacity(jobs.count)
        for (slot, job) in jobs.enumerated() { add(perJob[slot], for: job) }
    }
}

/// Lists of unit ids as JSON arrays of strings (`["a","b"]`), written by hand for the bulk insert
/// and read with JSONDecoder (only resume reads them). SQLite's `json_group_array` writes the same
/// form, so migrated lists read back the same way.
enum StringList {
    static func encode(_ values: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(byte)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: Array("\\u00".utf8))
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default:
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ text: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
