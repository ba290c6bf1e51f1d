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
    /// The key of its settings section that names the CFEL `meas_spec` (dark `tint`, xray
    /// `element`): part of CFEL raw file names, and of the CFEL product tree. nil: none.
    public let cfelSpecKey: String?
    /// Memory cells per train of CFEL data when `general.cells` is not set (the files do not
    /// say): 352, and 1 for xray, as in the original.
    public let cfelDefaultCells: Int

    public init(measurement: Measurement, runRule: String, runCount: @escaping @Sendable (_ currents: Int) -> Int,
                settingsSection: String, productKeys: [String], originalGathersPerRun: Bool, hasMerge: Bool,
                acceptsMoreRuns: Bool = false, cfelSpecKey: String? = nil, cfelDefaultCells: Int = 352) {
        self.measurement = measurement; self.runRule = runRule; self.runCount = runCount
        self.settingsSection = settingsSection; self.productKeys = productKeys
        self.originalGathersPerRun = originalGathersPerRun; self.hasMerge = hasMerge; self.acceptsMoreRuns = acceptsMoreRuns
        self.cfelSpecKey = cfelSpecKey; self.cfelDefaultCells = cfelDefaultCells
    }

    /// The steps of a whole request at `facility`, in order: XFEL preprocesses (the train
    /// index); CFEL (one module, frames numbered across the run) has nothing to preprocess.
    public func steps(at facility: Facility) -> [Step] {
        switch facility {
        case .xfel: [.preprocess, .gather, .process] + (hasMerge ? [.merge] : []) + [.join]
        case .cfel: [.gather, .process] + (hasMerge ? [.merge] : []) + [.join]
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

extension MeasurementDescription {
    /// The CFEL `meas_spec` among a unit's parameters (its settings section): e.g. `tint150ns`.
    public func cfelSpec(in parameters: [String: String]) -> String? {
        guard let key = cfelSpecKey, let value = parameters[key], !value.isEmpty, value != "null" else { return nil }
        return value
    }

    /// Memory cells of CFEL data: `configured` when set (> 0), else the measurement's default.
    public func cfelCells(configured: Int) -> Int { configured > 0 ? configured : cfelDefaultCells }
}
