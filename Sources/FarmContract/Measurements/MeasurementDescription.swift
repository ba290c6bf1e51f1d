/// What the controller and the worker both know about a measurement, in one place: its runs and
/// their roles, the steps it runs at each facility, the configuration section of its settings,
/// the keys of its products, and how the original tool fanned it out (for `plan`'s comparison).
/// One file per measurement (`DarkDescription.swift`, …) and one line in ``MeasurementCatalog``;
/// the worker's implementation is found through its own registry (`StepDispatch`), and the
/// controller refuses at plan time a step the worker lacks.
public struct MeasurementDescription: Sendable {
    public let measurement: Measurement
    /// How the runs of a request are ordered, in words (shown when the count is wrong).
    public let runRule: String
    /// How many runs a request needs, given the number of drscs currents configured.
    public let runCount: @Sendable (_ currents: Int) -> Int
    /// The configuration section of its settings (passed to the worker as spec parameters).
    public let settingsSection: String
    /// Datasets of its per-ASIC process product (and of the joined file, per channel).
    public let productKeys: [String]
    /// Whether the original gathered each run separately (dark) or all runs together.
    public let originalGathersPerRun: Bool
    /// Whether the steps include merge (drscs: combine the currents).
    public let hasMerge: Bool
    /// Whether `runCount` is a minimum (xray: several runs of one element are fitted together).
    public let acceptsMoreRuns: Bool

    public init(measurement: Measurement, runRule: String, runCount: @escaping @Sendable (_ currents: Int) -> Int,
                settingsSection: String, productKeys: [String], originalGathersPerRun: Bool, hasMerge: Bool,
                acceptsMoreRuns: Bool = false) {
        self.measurement = measurement; self.runRule = runRule; self.runCount = runCount
        self.settingsSection = settingsSection; self.productKeys = productKeys
        self.originalGathersPerRun = originalGathersPerRun; self.hasMerge = hasMerge; self.acceptsMoreRuns = acceptsMoreRuns
    }

    /// The steps of a whole request at `facility`, in order: XFEL preprocesses and joins, CFEL
    /// (one module, no train index) does neither.
    public func steps(at facility: Facility) -> [Step] {
        switch facility {
        case .xfel: [.preprocess, .gather, .process] + (hasMerge ? [.merge] : []) + [.join]
        case .cfel: [.gather, .process] + (hasMerge ? [.merge] : [])
        }
    }
}

/// The descriptions of every measurement, keyed by the vocabulary's enum.
public enum MeasurementCatalog {
    public static func description(of measurement: Measurement) -> MeasurementDescription {
        switch measurement {
        case .dark: .dark
        case .drspc: .drspc
        case .xray: .xray
        case .drscs: .drscs
        }
    }
}
