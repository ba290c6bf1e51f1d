extension MeasurementDescription {
    /// Four column-group runs per current of `drscs.currents`, current by current (agipd-reference
    /// §6.6): per pixel and cell, the three gain stages of each current's scan, and merge keeps
    /// the best current. A CFEL measurement: the current is the raw directory and spec
    /// (`<temperature>/drscs/<current>/`), carried by each gather and process unit as `current`.
    public static let drscs = MeasurementDescription(
        measurement: .drscs, runRule: "4 column-group runs (col15, col26, col37, col48) per current of drscs.currents, current by current",
        runCount: { currents in 4 * currents }, settingsSection: "drscs",
        productKeys: ["slope", "offset", "residual", "medians", "thresholds", "frame_count", "error_code", "warning_code"],
        originalGathersPerRun: false, hasMerge: true, cfelSpecKey: DrscsCurrent.parameter)
}

/// A current-source setting of drscs, e.g. `itestc150`, and its number (150), which merge
/// records in `chosen_current`.
public struct DrscsCurrent: Sendable, Hashable, CustomStringConvertible {
    /// The `parameters` key naming a unit's current (its CFEL spec).
    public static let parameter = "current"
    /// The runs of one current.
    public static let runsPerCurrent = 4

    public var name: String
    public var number: Int

    /// `itestc20` → 20: the trailing digits of the name.
    public init?(_ name: String) {
        let digits = name.reversed().prefix { $0.isNumber }
        guard !digits.isEmpty, let number = Int(String(digits.reversed())), number > 0 else { return nil }
        self.name = name
        self.number = number
    }

    public var description: String { name }

    /// The runs of current `index` among a request's runs (current by current).
    public static func runs(ofCurrent index: Int, in runs: [Int]) -> [Int] {
        Array(runs.dropFirst(index * runsPerCurrent).prefix(runsPerCurrent))
    }
}
