extension MeasurementDescription {
    /// Eight pulse-capacitor runs in scan order; run k injects rows 7 − k + 8j and 64 + k + 8j
    /// (agipd-reference §6.2.5, §6.4).
    public static let drspc = MeasurementDescription(
        measurement: .drspc, runRule: "one per pulse-capacitor row group, in scan order", runCount: { _ in 8 },
        settingsSection: "drspc",
        productKeys: ["offset", "slope", "gainlevel_mean", "threshold", "fit_status", "frame_count"],
        originalGathersPerRun: false, hasMerge: false)
}
