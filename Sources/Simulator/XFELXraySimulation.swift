import AGIPD
import FarmContract
import Foundation
import HDF5

/// Writes European XFEL fluorescence (xray) runs: in every frame each pixel holds 0 or 1
/// photon (probability: its hit fraction), so analog = offset + photon·spacing + σ·N(0, 1),
/// digital at the high-gain level. Per pixel and cell the truth is drawn from the element's
/// ranges: Cu narrow peaks (σ 6–12 ADU, spacing 8.0 keV × 7–9 ADU/keV), Mo broad ones (σ 14–18
/// ADU, 17.4 keV × 7–9 ADU/keV); hit fraction 0.15–0.35. Several runs are independent draws
/// of the same pixels. Plus a truth file.
///
/// Output: `<inputDir>/raw/rNNNN/RAW-…h5` as for dark (docs/formats.md) and `<inputDir>/truth.h5`
/// with `channelCC/{photon_spacing,noise,offset,hit_fraction}` (cells, 128, 512) float64, AGIPD
/// orientation; root attributes `measurement` = xray, `element`, `energy_kev`.
public struct XFELXraySimulation: Sendable {
    public struct Options: Sendable {
        /// Runs of the same element (fitted together).
        public var runs: [Int] = [1]
        public var channels: [Int] = [0]
        public var trains = 400
        public var cells = 1
        public var sequences = 1
        public var seed: UInt64 = 1
        public var element = "Cu"
        public var detectorString = "SPB_DET_AGIPD1M-1"
        public var firstTrainId: UInt64 = 30_000
        /// Train indices lost in every channel and run (absent from the files).
        public var lostTrains: [Int] = []
        /// Train indices whose id is replaced by a bogus one (`+ 1,000,000`).
        public var outlierTrains: [Int] = []
        /// Channels for which no files are written.
        public var missingChannels: [Int] = []
        /// Channel → number of leading trains it misses (starts late).
        public var lateChannels: [Int: Int] = [:]
        /// Frames of each train written in a shuffled cell order (cellId still names the cell).
        public var shuffleCells = false
        public var indexPadding: XFELIndexPadding = .trainId
        public init() {}
    }

    /// σ ranges of the analog noise per element, ADU.
    public static let noiseRanges: [String: ClosedRange<Double>] = ["Cu": 6...12, "Mo": 14...18]
    /// Gain range, ADU per keV (spacing = gain × line energy).
    public static let gainRange = 7.0...9.0
    public static let hitRange = 0.15...0.35

    public var options: Options
    public init(options: Options) { self.options = options }

    public var energyKeV: Double { MeasurementDescription.xrayLineEnergyKeV[options.element] ?? .nan }

    /// The truth of one pixel and cell.
    public struct Pixel: Sendable, Equatable {
        public var offset: Double
        public var noise: Double
        public var spacing: Double
        public var hitFraction: Double
    }

    public func truth(channel: Int, cell: Int, row: Int, column: Int) -> Pixel {
        var rng = SplitMix64(seed: SplitMix64.key(options.seed, 0x5852_4159, UInt64(channel), UInt64(cell),
                                                  UInt64(row), UInt64(column)))
        let noise = Self.noiseRanges[options.element] ?? 6...12
        func draw(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnit()
        }
        // Float, as the frame loop computes in Float.
        return Pixel(offset: Double(Float(draw(4_000...6_000))), noise: Double(Float(draw(noise))),
                     spacing: Double(Float(draw(Self.gainRange) * energyKeV)), hitFraction: Double(Float(draw(Self.hitRange))))
    }

    /// The train id of train `index` in `channel`, or nil when it is lost or before a late start.
    public func trainId(index: Int, channel: Int) -> UInt64? {
        if options.lostTrains.contains(index) || index < (options.lateChannels[channel] ?? 0) { return nil }
        let id = options.firstTrainId + UInt64(index)
        return options.outlierTrains.contains(index) ? id + 1_000_000 : id
    }

    public static func truthPath(inputDir: String) -> String { "\(inputDir)/truth.h5" }

    public var description: String {
        let o = options
        var lines = ["simulated AGIPD fluorescence (xray, \(o.element) \(energyKeV) keV): runs "
                     + o.runs.map(String.init).joined(separator: ", ") + ", detector \(o.detectorString)",
                     "channels \(o.channels.sorted().map(String.init).joined(separator: ",")); \(o.trains) trains × "
                     + "\(o.cells) cells, \(o.sequences) sequence file(s) per run and channel, seed \(o.seed); "
                     + "noise \(Self.noiseRanges[o.element].map { "\($0.lowerBound)–\($0.upperBound)" } ?? "?") ADU, "
                     + "hit fraction \(Self.hitRange.lowerBound)–\(Self.hitRange.upperBound)"]
        lines += SimulatedRun.faultLines(lostTrains: o.lostTrains, outlierTrains: o.outlierTrains, missingChannels: o.missingChannels,
                                         shuffleCells: o.shuffleCells, lateChannels: o.lateChannels)
        return lines.joined(separator: "\n")
    }

    public func validate() throws {
        let o = options
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        guard Self.noiseRanges[o.element] != nil else { throw bad("element", "must be Cu or Mo, got '\(o.element)'") }
        guard !o.runs.isEmpty, Set(o.runs).count == o.runs.count, o.runs.allSatisfy({ (0...9999).contains($0) }) else {
            throw bad("runs", "need distinct run numbers within 0…9999, got \(o.runs)")
        }
        guard !o.channels.isEmpty, Set(o.channels).count == o.channels.count, o.channels.allSatisfy({ (0...15).contains($0) }) else {
            throw bad("channels", "need distinct channels within 0…15: \(o.channels)")
        }
        guard o.trains >= 1, (1...352).contains(o.cells), (1...o.trains).contains(o.sequences) else {
            throw bad("trains", "need trains ≥ 1, cells within 1…352 and sequences within 1…trains")
        }
        try SimulatedRun.checkFaults(trains: o.trains, channels: o.channels, lostTrains: o.lostTrains,
                                     outlierTrains: o.outlierTrains, lateChannels: o.lateChannels, missingChannels: o.missingChannels)
    }

    /// Writes every run, channel and sequence file and the truth file; returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String {
        try validate()
        let o = options
        let normals = NormalTable(seed: o.seed)
        // One channel's truth tables at a time, made at its first run.
        var tables: XrayTruthTables?
        try SimulatedRun.writeAll(runs: o.runs, channels: o.channels.filter { !o.missingChannels.contains($0) }, trains: o.trains, cells: o.cells,
                                  sequences: o.sequences, detectorString: o.detectorString, indexPadding: o.indexPadding,
                                  outlierTrains: o.outlierTrains, seed: o.seed, streamTag: 0x5852_4654, inputDir: inputDir,
                                  trainId: { trainId(index: $0, channel: $1) }) { channel, k in
            if k == 0 { tables = XrayTruthTables(simulation: self, channel: channel) }
            return XraySynthesizer(tables: tables!, shuffle: o.shuffleCells, seed: o.seed, normals: normals)
        }
        return try writeTruth(Self.truthPath(inputDir: inputDir))
    }

    func writeTruth(_ path: String) throws -> String {
        let file = try File.create(path)
        let o = options
        let plane = ModuleGeometry.pixels
        for channel in o.channels.sorted() {
            var spacing = [Double](repeating: 0, count: o.cells * plane), noise = spacing, offset = spacing, hit = spacing
            for cell in 0..<o.cells {
                for row in 0..<ModuleGeometry.rows {
                    for column in 0..<ModuleGeometry.columns {
                        let p = truth(channel: channel, cell: cell, row: row, column: column)
                        let i = cell * plane + row * ModuleGeometry.columns + column
                        (spacing[i], noise[i], offset[i], hit[i]) = (p.spacing, p.noise, p.offset, p.hitFraction)
                    }
                }
            }
            let group = try file.root.createGroup(String(format: "channel%02d", channel))
            let shape = [o.cells, ModuleGeometry.rows, ModuleGeometry.columns]
            try group.write("photon_spacing", spacing, shape: shape)
            try group.write("noise", noise, shape: shape)
            try group.write("offset", offset, shape: shape)
            try group.write("hit_fraction", hit, shape: shape)
        }
        try file.root.setAttribute("measurement", "xray")
        try file.root.setAttribute("element", o.element)
        try file.root.setAttribute("energy_kev", energyKeV)
        try file.root.setAttribute("runs", o.runs.map(Int64.init))
        try file.root.setAttribute("trains", Int64(o.trains))
        try file.root.setAttribute("cells", Int64(o.cells))
        try file.close()
        return path
    }
}

/// The truth of one channel in XFEL order ([cell][X][Y]), as floats for the frame loop.
final class XrayTruthTables: @unchecked Sendable {  // immutable after init
    let cells: Int
    let offset: [Float], noise: [Float], spacing: [Float]
    /// Hit fraction scaled to 2³², compared with 32 random bits.
    let hitThreshold: [UInt32]

    init(simulation: XFELXraySimulation, channel: Int) {
        cells = simulation.options.cells
        let n = cells * FrameSynthesizer.pixels
        var off = [Float](repeating: 0, count: n), sig = off, spc = off
        var hit = [UInt32](repeating: 0, count: n)
        let wing1 = SimulatorOrientation.isWing1(channel)
        for cell in 0..<cells {
            for x in 0..<512 {
                for y in 0..<128 {
                    let (r, c) = SimulatorOrientation.agipd(x: x, y: y, wing1: wing1)
                    let p = simulation.truth(channel: channel, cell: cell, row: r, column: c)
                    let i = cell * FrameSynthesizer.pixels + x * 128 + y
                    off[i] = Float(p.offset); sig[i] = Float(p.noise); spc[i] = Float(p.spacing)
                    hit[i] = UInt32(p.hitFraction * 4_294_967_296)
                }
            }
        }
        (offset, noise, spacing, hitThreshold) = (off, sig, spc, hit)
    }
}

/// One train: per pixel a 64-bit draw gives the analog normal (16 bits), the digital normal
/// (16 bits) and the photon (32 bits against the hit fraction).
final class XraySynthesizer: TrainSynthesizer {
    static let highGainLevel: Float = 4_500, digitalNoise: Float = 20

    let tables: XrayTruthTables
    let shuffle: Bool
    let seed: UInt64
    let normals: [Float]
    let framesPerTrain: Int
    private(set) var frames: [UInt16]

    init(tables: XrayTruthTables, shuffle: Bool, seed: UInt64, normals: NormalTable) {
        self.tables = tables; self.shuffle = shuffle; self.seed = seed
        self.normals = normals.values
        framesPerTrain = tables.cells
        frames = [UInt16](repeating: 0, count: tables.cells * 2 * FrameSynthesizer.pixels)
    }

    func cellIds(train index: Int) -> [UInt16] {
        SimulatedRun.cellIds(train: index, cells: framesPerTrain, shuffle: shuffle, seed: seed)
    }

    func synthesizeTrain(index: Int, streamKey: UInt64) {
        var rng = SplitMix64(seed: streamKey)
        let pixels = FrameSynthesizer.pixels
        let order = cellIds(train: index)
        let t = tables
        frames.withUnsafeMutableBufferPointer { out in
            for (frame, cellId) in order.enumerated() {
                let base = Int(cellId) * pixels
                let analogBase = frame * 2 * pixels, digitalBase = analogBase + pixels
                for p in 0..<pixels {
                    let bits = rng.next()
                    let na = normals[Int(truncatingIfNeeded: bits & 0xFFFF)]
                    let nd = normals[Int(truncatingIfNeeded: (bits >> 16) & 0xFFFF)]
                    let i = base + p
                    let photon: Float = UInt32(truncatingIfNeeded: bits >> 32) < t.hitThreshold[i] ? 1 : 0
                    let analog = t.offset[i] + photon * t.spacing[i] + t.noise[i] * na
                    out[analogBase + p] = UInt16(min(max(analog, 1), 16383) + 0.5)
                    out[digitalBase + p] = UInt16(min(max(Self.highGainLevel + Self.digitalNoise * nd, 1), 16383) + 0.5)
                }
            }
        }
    }
}
