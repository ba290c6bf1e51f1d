import Foundation
import HDF5

/// The known answer of a simulated dark run for one pixel of one memory cell in one gain stage:
/// what a correct dark calibration must recover.
public struct SimulatedPixel: Sendable, Equatable {
    /// Mean analog ADU (before rounding and clamping).
    public var offset: Double
    /// Standard deviation of the analog ADU.
    public var noise: Double
    /// Mean digital (gain-stage) ADU.
    public var gainLevel: Double
}

/// The truth model: a pure function of (seed, channel, stage, cell, AGIPD row, AGIPD column),
/// so the truth file, the raw frames and tests all derive the same numbers independently.
/// Values are Float-valued (the generator works in Float) and stored as float64.
struct TruthModel: Sendable {
    /// Mean digital level per gain stage (high, medium, low); each pixel varies ±150 around it.
    static let stageGainLevels: [Double] = [4500, 6500, 8000]
    static let offsetRange = (low: 4000.0, width: 2000.0)
    static let noiseRange = (low: 5.0, width: 25.0)
    static let gainLevelSpread = 300.0

    let seed: UInt64
    /// Faulty pixels (AGIPD index r · 512 + c), the same in every channel, stage and cell: what
    /// the dark's bad-pixel mask must find.
    var faults: [Int: PixelFault] = [:]

    init(seed: UInt64, faults: [Int: PixelFault] = [:]) {
        self.seed = seed
        self.faults = faults
    }

    /// Key shared by all pixels of one (channel, stage, cell); mixed with the pixel index.
    @inline(__always)
    func cellKey(channel: Int, stage: Int, cell: Int) -> UInt64 {
        SplitMix64.key(seed, 0x5452_5554, UInt64(channel), UInt64(stage), UInt64(cell))
    }

    /// The three values of AGIPD pixel (row, column), as Float (the generator's precision).
    @inline(__always)
    func values(cellKey: UInt64, stage: Int, row: Int, column: Int) -> (offset: Float, noise: Float, gain: Float) {
        let h = SplitMix64.mix(cellKey ^ (UInt64(row * 512 + column) &* 0xD6E8_FEB8_6659_FD93))
        // Three independent 21-bit uniforms from one hash.
        let u1 = Double(h & 0x1F_FFFF) * 0x1p-21
        let u2 = Double((h >> 21) & 0x1F_FFFF) * 0x1p-21
        let u3 = Double((h >> 42) & 0x1F_FFFF) * 0x1p-21
        let offset = Self.offsetRange.low + Self.offsetRange.width * u1
        let noise = Self.noiseRange.low + Self.noiseRange.width * u2
        let gain = Self.stageGainLevels[stage] + Self.gainLevelSpread * (u3 - 0.5)
        switch faults.isEmpty ? nil : faults[row * 512 + column] {
        case .noisy?: return (Float(offset), Float(noise * 8), Float(gain))
        case .dead?: return (Float(offset), 0.3, Float(gain))
        case .hot?: return (Float(offset + 8000), Float(noise), Float(gain))
        case nil: return (Float(offset), Float(noise), Float(gain))
        }
    }

    func pixel(channel: Int, stage: Int, cell: Int, row: Int, column: Int) -> SimulatedPixel {
        let v = values(cellKey: cellKey(channel: channel, stage: stage, cell: cell), stage: stage,
                       row: row, column: column)
        return SimulatedPixel(offset: Double(v.offset), noise: Double(v.noise), gainLevel: Double(v.gain))
    }
}

/// A pixel planted faulty in a simulated dark: noise × 8 (noisy), noise 0.3 ADU (dead: it does
/// not respond), offset + 8000 ADU (hot).
public enum PixelFault: String, Sendable, CaseIterable {
    case noisy, dead, hot
}

/// Module orientation maps (agipd-reference §5.4). Raw files store a module as x[X][Y]
/// (512 × 128); the truth and all processing use the AGIPD orientation a[r][c] (128 × 512).
/// Wing 1 (channels 0–7): a[r][c] = x[511−c][r]; wing 2 (channels 8–15): a[r][c] = x[c][127−r].
enum SimulatorOrientation {
    @inline(__always)
    static func isWing1(_ channel: Int) -> Bool { channel < 8 }

    /// AGIPD (row, column) of raw-file pixel (X, Y).
    @inline(__always)
    static func agipd(x: Int, y: Int, wing1: Bool) -> (row: Int, column: Int) {
        wing1 ? (y, 511 - x) : (127 - y, x)
    }
}

/// What the truth comparisons share: the measurement a truth file holds, and the walk over its
/// `channelCC` groups against those of a joined constants file.
enum SimulationTruthFile {
    /// The root attribute `measurement` (drspc, xray); nil for dark truth files and other files.
    static func measurement(of path: String) -> String? {
        guard let file = try? File.open(path) else { return nil }
        defer { try? file.close() }
        return try? file.root.stringAttribute("measurement")
    }

    /// The CFEL module of a truth file `CFELSimulation` wrote (its `channel00` truth is the
    /// module's, and the joined CFEL file names its group after the module); nil for XFEL.
    static func module(of root: Group) -> String? {
        root.hasAttribute("module") ? try? root.stringAttribute("module") : nil
    }

    /// `compare(channel, truth group, constants group)` for every channel of the truth file;
    /// channels the constants lack are returned as absent.
    static func compareChannels<R>(truthPath: String, constantsPath: String,
                                   _ compare: (Int, Group, Group) throws -> R) throws -> (results: [R], absent: [Int]) {
        for (path, role) in [(truthPath, "truth"), (constantsPath, "constants")] where !FileManager.default.fileExists(atPath: path) {
            throw TruthComparison.Error.missingFile(path: path, role: role)
        }
        let truth = try File.open(truthPath), constants = try File.open(constantsPath)
        defer { try? truth.close(); try? constants.close() }
        let channels = try truth.root.children().filter { $0.hasPrefix("channel") }.compactMap { Int($0.dropFirst(7)) }.sorted()
        let module = Self.module(of: truth.root)
        var results: [R] = [], absent: [Int] = []
        for channel in channels {
            let name = String(format: "channel%02d", channel)
            let constantsName = module ?? name
            guard constants.root.exists(constantsName) else { absent.append(channel); continue }
            results.append(try compare(channel, try truth.root.group(name), try constants.root.group(constantsName)))
        }
        return (results, absent)
    }
}

/// A truth comparison's answer: one result per channel, the channels without constants, and
/// whether every channel agrees (none absent, at least one compared).
public struct ChannelTruthReport<Channel: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    public var truth: String
    public var constants: String
    public var channels: [Channel]
    public var absent: [Int]
    public var agrees: Bool

    init(truth: String, constants: String, channels: [Channel], absent: [Int], agrees: (Channel) -> Bool) {
        (self.truth, self.constants, self.channels, self.absent) = (truth, constants, channels, absent)
        self.agrees = !channels.isEmpty && absent.isEmpty && channels.allSatisfy(agrees)
    }
}
