import FarmContract

/// An edge of the job graph: the unit named `unit` must end before the dependent starts.
public struct JobDependency: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// SLURM `afterok`: start only if `unit` succeeded.
        case success
        /// SLURM `afterany`: start once `unit` ended, whatever its outcome (join after process).
        case completion
    }

    public var unit: String
    public var kind: Kind

    public init(unit: String, kind: Kind = .success) {
        self.unit = unit
        self.kind = kind
    }
}

/// One node of the job graph: one worker invocation. Ids are stable (the same request plans to
/// the same ids) and readable: `preprocess.r0819`, `gather.r0819.ch03.s00001`,
/// `process.ch03.a01-04`, `join` (CFEL drops the channel part); drscs `process.itestc80.a01-08`,
/// `merge.a01-08`.
public struct JobUnit: Sendable, Hashable, Identifiable {
    public var id: String
    public var step: Step
    /// Runs the unit reads.
    public var runs: [Int]
    /// XFEL channel; nil for preprocess, join and CFEL units.
    public var channel: Int?
    /// Sequence file number (gather only).
    public var sequence: Int?
    /// ASICs covered (process: the chunk; merge: one; join: all).
    public var asics: [Int]
    /// The array group the unit is submitted in (see ``JobGraph/arrayGroups()``).
    public var arrayGroup: String
    public var resources: StepResources
    public var dependencies: [JobDependency]

    public init(id: String, step: Step, runs: [Int], channel: Int? = nil, sequence: Int? = nil,
                asics: [Int] = [], arrayGroup: String, resources: StepResources,
                dependencies: [JobDependency] = []) {
        self.id = id
        self.step = step
        self.runs = runs
        self.channel = channel
        self.sequence = sequence
        self.asics = asics
        self.arrayGroup = arrayGroup
        self.resources = resources
        self.dependencies = dependencies
    }
}

/// The id and group spelling of job units, in one place.
public enum JobUnitID {
    public static func preprocess(run: Int) -> String { "preprocess.\(ProductPaths.runTag(run))" }

    public static func gather(run: Int, channel: Int?, sequence: Int?) -> String {
        var id = "gather.\(ProductPaths.runTag(run))"
        if let channel { id += ".\(channelTag(channel))" }
        if let sequence { id += sequenceTag(sequence) }
        return id
    }

    /// `.s00001`.
    public static func sequenceTag(_ sequence: Int) -> String { ".s" + ProductPaths.pad(sequence, 5) }

    public static func process(channel: Int?, asics: [Int]) -> String {
        "process." + (channel.map { channelTag($0) + "." } ?? "") + asicTag(asics)
    }

    public static func merge(channel: Int?, asics: [Int]) -> String {
        "merge." + (channel.map { channelTag($0) + "." } ?? "") + asicTag(asics)
    }

    public static let join = "join"
    /// The second XFEL join unit: the XFEL-orientation file, written beside `join`'s AGIPD file.
    public static let joinXFEL = "join.xfel"

    /// `ch03`.
    public static func channelTag(_ channel: Int) -> String { "ch" + ProductPaths.pad(channel, 2) }

    /// `a05`, `a01-04` for an ascending run of ASICs, otherwise `a01_03_07`.
    public static func asicTag(_ asics: [Int]) -> String {
        guard let first = asics.first, let last = asics.last else { return "a" }
        if asics.count == 1 { return "a" + ProductPaths.pad(first, 2) }
        if last - first == asics.count - 1, zip(asics, asics.dropFirst()).allSatisfy({ $1 == $0 + 1 }) {
            return "a\(ProductPaths.pad(first, 2))-\(ProductPaths.pad(last, 2))"
        }
        return "a" + asics.map { ProductPaths.pad($0, 2) }.joined(separator: "_")
    }

    /// Array group names: `preprocess`, `gather.r0819`, `process.ch03`, `merge.ch03`, `join`;
    /// CFEL groups carry no channel (`gather`, `process`, `merge`).
    public static func group(step: Step, run: Int? = nil, channel: Int? = nil) -> String {
        switch step {
        case .preprocess, .join: return step.rawValue
        case .gather: return run.map { "gather.\(ProductPaths.runTag($0))" } ?? "gather"
        case .process, .merge: return step.rawValue + (channel.map { "." + channelTag($0) } ?? "")
        }
    }
}
