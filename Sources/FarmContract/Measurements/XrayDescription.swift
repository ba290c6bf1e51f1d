extension MeasurementDescription {
    /// One fluorescence run (agipd-reference §6.5); not implemented by the worker yet.
    public static let xray = MeasurementDescription(
        measurement: .xray, runRule: "one fluorescence run", runCount: { _ in 1 }, settingsSection: "xray",
        productKeys: ["photon_spacing", "spacing_error", "peak_stddev", "peak_error", "quality"],
        originalGathersPerRun: false, hasMerge: false)
}
