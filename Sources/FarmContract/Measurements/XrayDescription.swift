extension MeasurementDescription {
    /// One or several fluorescence runs of the same element, fitted together (agipd-reference
    /// §6.5): per pixel and cell, the spacing of the 0- and 1-photon peaks.
    public static let xray = MeasurementDescription(
        measurement: .xray, runRule: "one or more fluorescence runs of the same element", runCount: { _ in 1 },
        settingsSection: "xray",
        productKeys: ["photon_spacing", "spacing_error", "gain_per_kev", "peak_mean", "peak_stddev", "peak_error",
                      "hit_fraction", "quality", "frame_count", "fit_status"],
        originalGathersPerRun: false, hasMerge: false, acceptsMoreRuns: true,
        cfelSpecKey: "element", cfelDefaultCells: 1)

    /// The fluorescence line energy of each `xray.element`, keV, as the original's
    /// `correction/combine.py` uses them (Cu Kα 8.0, Mo Kα 17.4).
    public static let xrayLineEnergyKeV: [String: Double] = ["Cu": 8.0, "Mo": 17.4]
}
