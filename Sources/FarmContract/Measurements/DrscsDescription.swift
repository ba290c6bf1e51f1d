extension MeasurementDescription {
    /// Four column-group runs per current of `drscs.currents`, merged per pixel (agipd-reference
    /// §6.6); not implemented by the worker yet.
    public static let drscs = MeasurementDescription(
        measurement: .drscs, runRule: "4 column-group runs × the currents of drscs.currents, current by current",
        runCount: { currents in 4 * currents }, settingsSection: "drscs",
        productKeys: ["slope", "offset", "residual", "average_residual", "chosen_current"],
        originalGathersPerRun: false, hasMerge: true)
}
