extension MeasurementDescription {
    /// Three dark runs, one per gain stage (agipd-reference §6.3).
    public static let dark = MeasurementDescription(
        measurement: .dark, runRule: "one per gain stage: high, medium, low", runCount: { _ in 3 },
        settingsSection: "dark", productKeys: ["offset", "gainlevel_mean", "stddev", "threshold", "frame_count"],
        originalGathersPerRun: true, hasMerge: false, cfelSpecKey: "tint")
}
