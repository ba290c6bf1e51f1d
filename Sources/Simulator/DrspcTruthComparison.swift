import AGIPD
import Foundation
import HDF5

/// Joined drspc constants against the truth `XFELDrspcSimulation` wrote: per channel and gain
/// stage, how far the fitted slopes, offsets and gain levels are from the simulated lines, in
/// units of the error a least-squares fit of that many frames has (analog noise 4 ADU, digital
/// 20 ADU, scan steps spread evenly over the window).
public struct DrspcTruthComparison: Sendable {
    public struct StageResult: Sendable, Codable, Equatable {
        public var stage: String
        public var fitted: Int
        public var flagged: Int
        /// Median |slope − truth| in ADU per step, and the fraction within 6 σ.
        public var slopeMedianAbsDifference: Double
        public var slopeWithinFraction: Double
        public var offsetWithinFraction: Double
        public var gainLevelWithinFraction: Double
        public var agrees: Bool
    }

    public struct ChannelResult: Sendable, Codable, Equatable {
        public var channel: Int
        public var stages: [StageResult]
        public var agrees: Bool
    }

    public typealias Report = ChannelTruthReport<ChannelResult>

    public static let analogNoise = 4.0, digitalNoise = 20.0, sigmas = 6.0, requiredFraction = 0.999

    public var truthPath: String
    public var constantsPath: String
    public init(truthPath: String, constantsPath: String) { (self.truthPath, self.constantsPath) = (truthPath, constantsPath) }

    /// True when `path` is a drspc truth file (root attribute `measurement` = drspc).
    public static func isDrspcTruth(_ path: String) -> Bool { SimulationTruthFile.measurement(of: path) == "drspc" }

    public func run() throws -> Report {
        let (channels, absent) = try SimulationTruthFile.compareChannels(truthPath: truthPath, constantsPath: constantsPath) {
            try compare($0, truth: $1, constants: $2)
        }
        return Report(truth: truthPath, constants: constantsPath, channels: channels, absent: absent) { $0.agrees }
    }

    /// The fit windows' mean scan steps, from the effective configuration the product carries
    /// (`drspc.high_gain_window: [a, b]`); the defaults [42, 122) and [402, 552) otherwise.
    static func meanSteps(_ constants: Group) -> [Double] {
        var means = [82.0, 477.0]
        guard let text = try? constants.group("collection").readString("configuration") else { return means }
        for (index, key) in ["high_gain_window", "medium_gain_window"].enumerated() {
            guard let line = text.split(separator: "\n").first(where: { $0.contains("\(key):") }) else { continue }
            let bounds = line.split(whereSeparator: { !$0.isNumber }).compactMap { Double($0) }
            if bounds.count == 2 { means[index] = (bounds[0] + bounds[1] - 1) / 2 }
        }
        return means
    }

    private func compare(_ channel: Int, truth: Group, constants: Group) throws -> ChannelResult {
        let meanSteps = Self.meanSteps(constants)
        let slope = try constants.dataset("slope").read(Double.self)
        let offset = try constants.dataset("offset").read(Int64.self)
        let gain = try constants.dataset("gainlevel_mean").read(Int64.self)
        let status = try constants.dataset("fit_status").read(UInt8.self)
        let frames = try constants.dataset("frame_count").read(UInt32.self)
        let trueSlope = try truth.dataset("slope").read(Double.self)
        let trueOffset = try truth.dataset("offset").read(Double.self)
        let trueGain = try truth.dataset("gainlevel").read(Double.self)
        guard slope.count == trueSlope.count else {
            throw TruthComparison.Error.shapeMismatch(file: constantsPath, dataset: "channel\(channel)/slope",
                                                      expected: try truth.dataset("slope").shape,
                                                      found: try constants.dataset("slope").shape)
        }
        let perStage = slope.count / 2
        var stages: [StageResult] = []
        for (stage, name) in ["high", "medium"].enumerated() {
            var fitted = 0, flagged = 0, slopeOK = 0, offsetOK = 0, gainOK = 0
            var differences: [Double] = []
            for i in (stage * perStage)..<((stage + 1) * perStage) {
                guard status[i] == 0 else { flagged += 1; continue }
                fitted += 1
                let n = Double(frames[i])
                // Least-squares errors for n evenly spread steps: Sxx = n(n² − 1)/12.
                let sxx = max(n * (n * n - 1) / 12, 1)
                let slopeSigma = Self.analogNoise / sxx.squareRoot()
                let difference = abs(slope[i] - trueSlope[i])
                differences.append(difference)
                if difference <= Self.sigmas * slopeSigma { slopeOK += 1 }
                // The intercept is far from the data: its error grows with the mean step.
                let meanStep = meanSteps[stage]
                let offsetSigma = Self.analogNoise * (1 / n + meanStep * meanStep / sxx).squareRoot()
                if abs(Double(offset[i]) - trueOffset[i]) <= Self.sigmas * offsetSigma + 1 { offsetOK += 1 }
                if abs(Double(gain[i]) - trueGain[i]) <= Self.sigmas * Self.digitalNoise / n.squareRoot() + 1 { gainOK += 1 }
            }
            differences.sort()
            let denominator = Double(max(fitted, 1))
            let result = StageResult(
                stage: name, fitted: fitted, flagged: flagged,
                slopeMedianAbsDifference: differences.isEmpty ? .nan : differences[differences.count / 2],
                slopeWithinFraction: Double(slopeOK) / denominator, offsetWithinFraction: Double(offsetOK) / denominator,
                gainLevelWithinFraction: Double(gainOK) / denominator,
                agrees: fitted > 0 && [slopeOK, offsetOK, gainOK].allSatisfy { Double($0) / denominator >= Self.requiredFraction })
            stages.append(result)
        }
        return ChannelResult(channel: channel, stages: stages, agrees: stages.allSatisfy(\.agrees))
    }
}
