import FarmContract

/// Per-measurement checks of the request values (runs, channels, ASICs, CFEL module and
/// temperature). Errors name the key in both spellings, e.g. `--runs/general.runs`.
public enum RequestValidation {
    public static let runsKey = "--runs/general.runs"
    public static let channelsKey = "--channels/general.channels"
    public static let asicsKey = "--asics/general.asics"
    public static let moduleKey = "--module/general.module"
    public static let temperatureKey = "--temperature/general.temperature"
    public static let channelRange = 0...15
    public static let asicRange = 1...16

    /// How many runs `measurement` needs, and the rule in words (its ``MeasurementDescription``).
    public static func expectedRunCount(for measurement: FarmContract.Measurement,
                                        configuration: Configuration) -> (count: Int, rule: String) {
        let description = MeasurementCatalog.description(of: measurement)
        return (description.runCount(configuration.drscsCurrents.count), description.runRule)
    }

    /// Checks the request values; throws the first problem found.
    /// `runs` nil skips the run checks (CFEL runs found later from their names).
    public static func validate(measurement: FarmContract.Measurement, facility: Facility, runs: [Int]?,
                                channels: [Int], asics: [Int], module: String?, temperature: String?,
                                configuration: Configuration) throws(ConfigurationError) {
        if measurement == .drscs, configuration.drscsCurrents.isEmpty {
            throw .emptyList(key: "drscs.currents")
        }
        if measurement == .drspc {
            // [first, end) scan steps, high gain before medium gain (the worker fits them).
            var previousEnd = 0
            for key in ["drspc.high_gain_window", "drspc.medium_gain_window"] {
                let window = configuration.values[key]?.intsValue ?? []
                guard window.count == 2, window[0] < window[1], window[0] >= previousEnd else {
                    throw .invalidValue(key: key, source: configuration.source(of: key) ?? .builtin, line: nil,
                                        value: window.map(String.init).joined(separator: ", "),
                                        reason: "expected [first, end) scan steps, first < end, the high-gain window first")
                }
                previousEnd = window[1]
            }
        }
        if let runs {
            let expected = expectedRunCount(for: measurement, configuration: configuration)
            let acceptsMore = MeasurementCatalog.description(of: measurement).acceptsMoreRuns
            guard runs.count == expected.count || (acceptsMore && runs.count > expected.count) else {
                throw .wrongRunCount(key: runsKey, measurement: measurement, expected: expected.count,
                                     got: runs.count, rule: expected.rule)
            }
            try checkDistinct(runs, key: runsKey)
            for run in runs where run < 0 {
                throw .outOfRange(key: runsKey, what: "run", value: run, allowed: 0...99_999)
            }
        }
        if facility == .xfel {
            guard !channels.isEmpty else { throw .emptyList(key: channelsKey) }
            for channel in channels where !channelRange.contains(channel) {
                throw .outOfRange(key: channelsKey, what: "channel", value: channel, allowed: channelRange)
            }
            try checkDistinct(channels, key: channelsKey)
        }
        guard !asics.isEmpty else { throw .emptyList(key: asicsKey) }
        for asic in asics where !asicRange.contains(asic) {
            throw .outOfRange(key: asicsKey, what: "ASIC", value: asic, allowed: asicRange)
        }
        try checkDistinct(asics, key: asicsKey)
        if facility == .cfel {
            guard let module, !module.isEmpty else {
                throw .missingSetting(key: moduleKey, reason: "CFEL data is organised per module (e.g. M304)")
            }
            guard let temperature, !temperature.isEmpty else {
                throw .missingSetting(key: temperatureKey, reason: "CFEL raw data lives under <input>/<temperature>/")
            }
            for (key, value) in [(moduleKey, module), (temperatureKey, temperature)] where value.contains("/") {
                throw .missingSetting(key: key, reason: "'\(value)' names a directory level, not one name")
            }
        }
    }

    private static func checkDistinct(_ values: [Int], key: String) throws(ConfigurationError) {
        var seen = Set<Int>()
        for value in values where !seen.insert(value).inserted {
            throw .duplicateValue(key: key, value: value)
        }
    }
}
