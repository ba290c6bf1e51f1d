import FarmContract
import Testing
@testable import Farm

@Suite("Request validation per measurement")
struct ConfigValidationTests {
    private func validate(_ measurement: FarmContract.Measurement, facility: Facility = .xfel, runs: [Int],
                          channels: [Int] = [0], asics: [Int] = [1], module: String? = nil,
                          temperature: String? = nil, configuration: Configuration = .defaults) -> ConfigurationError? {
        do {
            try RequestValidation.validate(measurement: measurement, facility: facility, runs: runs, channels: channels,
                                           asics: asics, module: module, temperature: temperature,
                                           configuration: configuration)
            return nil
        } catch { return error }
    }

    @Test("dark needs exactly 3 runs, drspc 8, xray at least 1, drscs 4 per current; errors name --runs/general.runs")
    func runCounts() throws {
        #expect(validate(.dark, runs: [1, 2, 3]) == nil)
        let dark = validate(.dark, runs: [1, 2])
        guard case .wrongRunCount(let key, .dark, 3, 2, _)? = dark else {
            Issue.record("expected wrongRunCount, got \(String(describing: dark))"); return
        }
        #expect(key == "--runs/general.runs")
        #expect(dark!.description.hasPrefix("--runs/general.runs: dark needs exactly 3 runs"))
        #expect(dark!.description.hasSuffix("got 2"))
        #expect(validate(.drspc, runs: Array(1...8)) == nil)
        if case .wrongRunCount(_, .drspc, 8, 7, _)? = validate(.drspc, runs: Array(1...7)) {} else { Issue.record("drspc 7 runs") }
        #expect(validate(.xray, runs: [5]) == nil)
        // Several xray runs of one element are fitted together; none is too few.
        #expect(validate(.xray, runs: [5, 6]) == nil)
        if case .wrongRunCount(_, .xray, 1, 0, _)? = validate(.xray, runs: []) {} else { Issue.record("xray 0 runs") }
        // drscs: 3 default currents × 4 runs.
        #expect(validate(.drscs, runs: Array(1...12)) == nil)
        if case .wrongRunCount(_, .drscs, 12, 4, _)? = validate(.drscs, runs: Array(1...4)) {} else { Issue.record("drscs 4 runs") }
        let oneCurrent = try Configuration.defaults.applying(overrides: ["drscs.currents=itestc150"])
        #expect(validate(.drscs, runs: [1, 2, 3, 4], configuration: oneCurrent) == nil)
        #expect(validate(.dark, runs: [1, 1, 2]) == .duplicateValue(key: "--runs/general.runs", value: 1))
    }

    @Test("channels must lie in 0–15 and ASICs in 1–16; the unknown one is named")
    func channelAndASICRanges() {
        let channel = validate(.dark, runs: [1, 2, 3], channels: [3, 16])
        #expect(channel == .outOfRange(key: "--channels/general.channels", what: "channel", value: 16, allowed: 0...15))
        #expect(channel?.description == "--channels/general.channels: unknown channel 16; valid channels are 0–15")
        #expect(validate(.dark, runs: [1, 2, 3], asics: [0]) ==
                .outOfRange(key: "--asics/general.asics", what: "ASIC", value: 0, allowed: 1...16))
        #expect(validate(.dark, runs: [1, 2, 3], asics: [17]) != nil)
        #expect(validate(.dark, runs: [1, 2, 3], channels: []) == .emptyList(key: "--channels/general.channels"))
        #expect(validate(.dark, runs: [1, 2, 3], channels: [2, 2]) == .duplicateValue(key: "--channels/general.channels", value: 2))
    }

    @Test("CFEL requires module and temperature")
    func cfelNeedsModuleAndTemperature() {
        #expect(validate(.dark, facility: .cfel, runs: [1, 2, 3], temperature: "temperature_m20C") ==
                .missingSetting(key: "--module/general.module", reason: "CFEL data is organised per module (e.g. M304)"))
        if case .missingSetting(let key, _)? = validate(.dark, facility: .cfel, runs: [1, 2, 3], module: "M304") {
            #expect(key == "--temperature/general.temperature")
        } else { Issue.record("missing temperature not reported") }
        #expect(validate(.dark, facility: .cfel, runs: [1, 2, 3], module: "M304", temperature: "temperature_m20C") == nil)
    }
}
