import AGIPD
import Foundation
import HDF5

/// Joined xray constants against the truth `XFELXraySimulation` wrote: per channel, the
/// z-scores (photon_spacing − truth) / spacing_error of the converged fits and the failures
/// where both peaks should have held enough frames.
public struct XrayTruthComparison: Sendable {
    public struct ChannelResult: Sendable, Codable, Equatable {
        public var channel: Int
        public var fitted: Int
        public var failed: Int
        /// (cell, pixel)s without constants (`pixel_mask` = 1: an ASIC not processed or joined).
        public var masked: Int
        /// Failed fits where both peaks were expected to hold ≥ `wellPopulated` frames.
        public var failedWellPopulated: Int
        public var zMean: Double
        public var zRMS: Double
        public var zMaxAbs: Double
        public var beyondLimit: Int
        /// Median |spacing − truth| in ADU.
        public var spacingMedianAbsDifference: Double
        public var agrees: Bool
    }

    public typealias Report = ChannelTruthReport<ChannelResult>

    /// The acceptance of the xray issue: RMS z within [0.9, 1.1], |mean z| < 0.05, none beyond 5.5σ,
    /// no failure where both peaks hold ≥ 50 frames.
    public static let rmsRange = 0.9...1.1, meanLimit = 0.05, zLimit = 5.5, wellPopulated = 50.0

    public var truthPath: String
    public var constantsPath: String
    /// Accept pixels without constants (a request for some ASICs only).
    public var allowMissing: Bool
    public init(truthPath: String, constantsPath: String, allowMissing: Bool = false) {
        (self.truthPath, self.constantsPath, self.allowMissing) = (truthPath, constantsPath, allowMissing)
    }

    /// True when `path` is a xray truth file (root attribute `measurement` = xray).
    public static func isXrayTruth(_ path: String) -> Bool { SimulationTruthFile.measurement(of: path) == "xray" }

    public func run() throws -> Report {
        let (channels, absent) = try SimulationTruthFile.compareChannels(truthPath: truthPath, constantsPath: constantsPath) {
            try compare($0, truth: $1, constants: $2)
        }
        return Report(truth: truthPath, constants: constantsPath, channels: channels, absent: absent) { $0.agrees }
    }

    private func compare(_ channel: Int, truth: Group, constants: Group) throws -> ChannelResult {
        let spacing = try constants.dataset("photon_spacing").read(Double.self)
        let error = try constants.dataset("spacing_error").read(Double.self)
        let status = try constants.dataset("fit_status").read(Double.self)
        let frames = try constants.dataset("frame_count").read(Double.self)
        let trueSpacing = try truth.dataset("photon_spacing").read(Double.self)
        let trueHit = try truth.dataset("hit_fraction").read(Double.self)
        guard spacing.count == trueSpacing.count else {
            throw TruthComparison.Error.shapeMismatch(file: constantsPath, dataset: "channel\(channel)/photon_spacing",
                                                      expected: [1] + (try truth.dataset("photon_spacing").shape),
                                                      found: try constants.dataset("photon_spacing").shape)
        }
        let mask = constants.exists("pixel_mask") ? try constants.dataset("pixel_mask").read(UInt8.self) : []
        var z: [Double] = [], differences: [Double] = []
        var failed = 0, failedWell = 0, masked = 0
        for i in 0..<spacing.count {
            if !mask.isEmpty, mask[i % mask.count] != 0 { masked += 1; continue }
            guard status[i] == 0 else {
                failed += 1
                if frames[i] * min(trueHit[i], 1 - trueHit[i]) >= Self.wellPopulated { failedWell += 1 }
                continue
            }
            z.append((spacing[i] - trueSpacing[i]) / error[i])
            differences.append(abs(spacing[i] - trueSpacing[i]))
        }
        let n = Double(max(z.count, 1))
        let mean = z.reduce(0, +) / n
        let rms = (z.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
        let maxAbs = z.map(abs).max() ?? .nan
        let beyond = z.filter { !(abs($0) <= Self.zLimit) }.count
        differences.sort()
        return ChannelResult(
            channel: channel, fitted: z.count, failed: failed, masked: masked, failedWellPopulated: failedWell, zMean: mean, zRMS: rms,
            zMaxAbs: maxAbs, beyondLimit: beyond,
            spacingMedianAbsDifference: differences.isEmpty ? .nan : differences[differences.count / 2],
            agrees: !z.isEmpty && Self.rmsRange.contains(rms) && abs(mean) < Self.meanLimit && beyond == 0 && failedWell == 0
                && (masked == 0 || allowMissing))
    }
}
