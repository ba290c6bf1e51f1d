import AGIPD
import Foundation
import HDF5

/// Writes a European XFEL pulse-capacitor scan (drspc): 8 runs; in run k the capacitor charges
/// the pixels of rows {7 − k + 8j} (rows 0–63) and {64 + k + 8j} (rows 64–127), AGIPD orientation
/// (agipd-reference §6.2.5). For those pixels the analog value climbs with the scan step x (the
/// train's slot) along a per-pixel, per-cell high-gain line, switches to medium gain at a
/// per-pixel step and follows the medium-gain line; the digital value sits at a per-stage
/// level. Every other pixel shows its dark baseline. Plus a truth file.
///
/// Output: `<inputDir>/raw/rNNNN/RAW-…h5` as for dark (docs/formats.md) and `<inputDir>/truth.h5`
/// with `channelCC/{slope,offset,gainlevel}` (2, cells, 128, 512) and `channelCC/switch_step`
/// (cells, 128, 512), float64.
public struct XFELDrspcSimulation: Sendable {
    public struct Options: Sendable {
        /// Eight run numbers, in scan order (r1…r8).
        public var runs: [Int] = Array(1...8)
        public var channels: [Int] = [0]
        /// Trains (scan steps) per run, split evenly over `sequences` files.
        public var trains = 24
        public var cells = 2
        public var sequences = 1
        public var seed: UInt64 = 1
        public var detectorString = "SPB_DET_AGIPD1M-1"
        public var firstTrainId: UInt64 = 20_000
        /// Train indices lost in every channel (absent from the files).
        public var lostTrains: [Int] = []
        /// Train indices whose id is replaced by a bogus one (`+ 1,000,000`).
        public var outlierTrains: [Int] = []
        /// Channel → number of leading trains it misses (starts late).
        public var lateChannels: [Int: Int] = [:]
        /// Frames of each train written in a shuffled cell order (cellId still names the cell).
        public var shuffleCells = false
        public var indexPadding: XFELIndexPadding = .trainId
        /// The steps between which every pixel switches from high to medium gain.
        public var switchRange: ClosedRange<Int> = 9...10
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    /// The run (0…7) whose frames carry the scan for AGIPD row `row`.
    public static func injectingRun(row: Int) -> Int { row < 64 ? 7 - row % 8 : row % 8 }

    /// The truth of one pixel and cell: per stage (0 high, 1 medium) slope, offset and digital
    /// level, the switching step, and the dark baseline shown when the row is not injected.
    public struct Pixel: Sendable, Equatable {
        public var slope: [Double]
        public var offset: [Double]
        public var gainLevel: [Double]
        public var switchStep: Int
        public var baseline: Double
    }

    public func truth(channel: Int, cell: Int, row: Int, column: Int) -> Pixel {
        var rng = SplitMix64(seed: SplitMix64.key(options.seed, 0x4452_5350, UInt64(channel), UInt64(cell),
                                                  UInt64(row), UInt64(column)))
        let span = options.switchRange
        let highSlope = 20 + 10 * rng.nextUnit(), mediumSlope = 0.5 + rng.nextUnit()
        let highOffset = 3_000 + 1_000 * rng.nextUnit(), mediumOffset = 6_000 + 1_000 * rng.nextUnit()
        let switchStep = span.lowerBound + Int(rng.next() % UInt64(span.count))
        let gainLevels = [4_500 + 500 * rng.nextUnit(), 7_000 + 500 * rng.nextUnit()]
        return Pixel(slope: [highSlope, mediumSlope], offset: [highOffset, mediumOffset], gainLevel: gainLevels,
                     switchStep: switchStep, baseline: highOffset)
    }

    /// The train id of train `index` in `channel`, or nil when it is lost or before a late start.
    public func trainId(index: Int, channel: Int) -> UInt64? {
        if options.lostTrains.contains(index) || index < (options.lateChannels[channel] ?? 0) { return nil }
        let id = options.firstTrainId + UInt64(index)
        return options.outlierTrains.contains(index) ? id + 1_000_000 : id
    }

    public static func truthPath(inputDir: String) -> String { "\(inputDir)/truth.h5" }

    /// What `write` produces, for `calfarm simulate`.
    public var description: String {
        let o = options
        var lines = ["simulated AGIPD pulse-capacitor scan (drspc): runs \(o.runs.map(String.init).joined(separator: ", ")) "
                     + "in scan order, detector \(o.detectorString)",
                     "channels \(o.channels.sorted().map(String.init).joined(separator: ",")); \(o.trains) scan steps (trains) × "
                     + "\(o.cells) cells, \(o.sequences) sequence file(s) per run and channel, seed \(o.seed); "
                     + "gain switches at steps \(o.switchRange.lowerBound)…\(o.switchRange.upperBound)"]
        lines += SimulatedRun.faultLines(lostTrains: o.lostTrains, outlierTrains: o.outlierTrains, missingChannels: [],
                                         shuffleCells: o.shuffleCells, lateChannels: o.lateChannels)
        return lines.joined(separator: "\n")
    }

    public func validate() throws {
        let o = options
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        guard o.runs.count == 8, Set(o.runs).count == 8, o.runs.allSatisfy({ (0...9999).contains($0) }) else {
            throw bad("runs", "need 8 distinct run numbers within 0…9999, got \(o.runs)")
        }
        guard !o.channels.isEmpty, Set(o.channels).count == o.channels.count, o.channels.allSatisfy({ (0...15).contains($0) }) else {
            throw bad("channels", "need distinct channels within 0…15: \(o.channels)")
        }
        guard o.trains >= 1, (1...352).contains(o.cells), (1...o.trains).contains(o.sequences) else {
            throw bad("trains", "need trains ≥ 1, cells within 1…352 and sequences within 1…trains")
        }
        guard o.switchRange.lowerBound >= 0 else { throw bad("switchRange", "must not be negative") }
        try SimulatedRun.checkFaults(trains: o.trains, channels: o.channels, lostTrains: o.lostTrains,
                                     outlierTrains: o.outlierTrains, lateChannels: o.lateChannels, missingChannels: [])
    }

    /// Writes every run, channel and sequence file and the truth file; returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String {
        try validate()
        let o = options
        let normals = NormalTable(seed: o.seed)
        // One channel's truth tables at a time, made at its first run.
        var tables: DrspcTruthTables?
        try SimulatedRun.writeAll(runs: o.runs, channels: o.channels, trains: o.trains, cells: o.cells,
                                  sequences: o.sequences, detectorString: o.detectorString, indexPadding: o.indexPadding,
                                  outlierTrains: o.outlierTrains, seed: o.seed, streamTag: 0x5350_4352, inputDir: inputDir,
                                  trainId: { trainId(index: $0, channel: $1) }) { channel, k in
            if k == 0 { tables = DrspcTruthTables(simulation: self, channel: channel) }
            return DrspcSynthesizer(tables: tables!, run: k, shuffle: o.shuffleCells, seed: o.seed, normals: normals)
        }
        return try writeTruth(Self.truthPath(inputDir: inputDir))
    }

    func writeTruth(_ path: String) throws -> String {
        let file = try File.create(path)
        let o = options
        let plane = ModuleGeometry.pixels
        for channel in o.channels.sorted() {
            var slope = [Double](repeating: 0, count: 2 * o.cells * plane), offset = slope, level = slope
            var switchStep = [Double](repeating: 0, count: o.cells * plane)
            for cell in 0..<o.cells {
                for row in 0..<ModuleGeometry.rows {
                    for column in 0..<ModuleGeometry.columns {
                        let p = truth(channel: channel, cell: cell, row: row, column: column)
                        let i = row * ModuleGeometry.columns + column
                        for stage in 0..<2 {
                            let j = (stage * o.cells + cell) * plane + i
                            slope[j] = p.slope[stage]; offset[j] = p.offset[stage]; level[j] = p.gainLevel[stage]
                        }
                        switchStep[cell * plane + i] = Double(p.switchStep)
                    }
                }
            }
            let group = try file.root.createGroup(String(format: "channel%02d", channel))
            let shape = [2, o.cells, ModuleGeometry.rows, ModuleGeometry.columns]
            try group.write("slope", slope, shape: shape)
            try group.write("offset", offset, shape: shape)
            try group.write("gainlevel", level, shape: shape)
            try group.write("switch_step", switchStep, shape: Array(shape.dropFirst()))
        }
        try file.root.setAttribute("measurement", "drspc")
        try file.root.setAttribute("runs", o.runs.map(Int64.init))
        try file.root.setAttribute("trains", Int64(o.trains))
        try file.root.setAttribute("cells", Int64(o.cells))
        try file.root.setAttribute("first_train_id", o.firstTrainId)
        try file.close()
        return path
    }
}

/// The truth of one channel in XFEL order ([cell][X][Y]), as floats for the frame loop.
final class DrspcTruthTables: @unchecked Sendable {  // immutable after init
    let cells: Int
    let highSlope: [Float], highOffset: [Float], mediumSlope: [Float], mediumOffset: [Float]
    let highLevel: [Float], mediumLevel: [Float], switchStep: [Int32]
    /// The injecting run of each XFEL pixel's AGIPD row.
    let injectingRun: [UInt8]

    init(simulation: XFELDrspcSimulation, channel: Int) {
        cells = simulation.options.cells
        let n = cells * FrameSynthesizer.pixels
        var hs = [Float](repeating: 0, count: n), ho = hs, ms = hs, mo = hs, hl = hs, ml = hs
        var sw = [Int32](repeating: 0, count: n)
        var run = [UInt8](repeating: 0, count: FrameSynthesizer.pixels)
        let wing1 = SimulatorOrientation.isWing1(channel)
        for x in 0..<512 {
            for y in 0..<128 {
                let (r, _) = SimulatorOrientation.agipd(x: x, y: y, wing1: wing1)
                run[x * 128 + y] = UInt8(XFELDrspcSimulation.injectingRun(row: r))
            }
        }
        for cell in 0..<cells {
            for x in 0..<512 {
                for y in 0..<128 {
                    let (r, c) = SimulatorOrientation.agipd(x: x, y: y, wing1: wing1)
                    let p = simulation.truth(channel: channel, cell: cell, row: r, column: c)
                    let i = cell * FrameSynthesizer.pixels + x * 128 + y
                    hs[i] = Float(p.slope[0]); ms[i] = Float(p.slope[1])
                    ho[i] = Float(p.offset[0]); mo[i] = Float(p.offset[1])
                    hl[i] = Float(p.gainLevel[0]); ml[i] = Float(p.gainLevel[1])
                    sw[i] = Int32(p.switchStep)
                }
            }
        }
        (highSlope, highOffset, mediumSlope, mediumOffset, highLevel, mediumLevel, switchStep, injectingRun)
            = (hs, ho, ms, mo, hl, ml, sw, run)
    }
}

/// One run's trains: analog = line(x) + N(0, 4²), digital = level + N(0, 20²) on the injected
/// rows; the dark baseline (high-gain offset) elsewhere.
final class DrspcSynthesizer: TrainSynthesizer {
    let tables: DrspcTruthTables
    let run: Int
    let shuffle: Bool
    let seed: UInt64
    let normals: [Float]
    let framesPerTrain: Int
    private(set) var frames: [UInt16]

    init(tables: DrspcTruthTables, run: Int, shuffle: Bool, seed: UInt64, normals: NormalTable) {
        self.tables = tables; self.run = run; self.shuffle = shuffle; self.seed = seed
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
        let x = Float(index)
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
                    let analog: Float, digital: Float
                    if Int(t.injectingRun[p]) == run {
                        let high = index < Int(t.switchStep[i])
                        analog = high ? t.highOffset[i] + t.highSlope[i] * x : t.mediumOffset[i] + t.mediumSlope[i] * x
                        digital = high ? t.highLevel[i] : t.mediumLevel[i]
                    } else {
                        analog = t.highOffset[i]
                        digital = t.highLevel[i]
                    }
                    out[analogBase + p] = UInt16(min(max(analog + 4 * na, 1), 16383) + 0.5)
                    out[digitalBase + p] = UInt16(min(max(digital + 20 * nd, 1), 16383) + 0.5)
                }
            }
        }
    }
}
