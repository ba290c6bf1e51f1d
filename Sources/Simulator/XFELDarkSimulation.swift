import AGIPD
import Foundation
import HDF5

/// Writes European XFEL raw dark runs (one run per gain stage, high/medium/low) with known
/// per-pixel, per-cell offset, noise and gain level, plus a truth file.
///
/// Output (docs/formats.md): `<inputDir>/raw/rNNNN/RAW-RNNNN-AGIPDCC-SNNNNN.h5` per run,
/// channel and sequence in the DAQ layout, and `<inputDir>/truth.h5`. Everything is a pure
/// function of the options: the same seed gives the same values.
public struct XFELDarkSimulation: Sendable, CustomStringConvertible {
    /// How a lost train shows up in the files.
    public enum LostTrainMode: String, Sendable, CaseIterable {
        /// The train id is missing entirely from INDEX/trainId and every array (a train the DAQ
        /// never recorded; the default).
        case absent
        /// The train id is listed with INDEX count 0 (2017: status 0) and no frames (a train
        /// the aggregator saw but the module did not deliver).
        case emptyCount
    }

    public struct Options: Sendable {
        /// Run numbers, one per gain stage (high, medium, low); 1–3 runs.
        public var runs: [Int] = [1, 2, 3]
        public var channels: [Int] = [0]
        /// Trains per run (before losses), spread evenly over `sequences` files.
        public var trains: Int = 10
        public var cells: Int = 4
        public var sequences: Int = 1
        public var seed: UInt64 = 1
        public var layout: XFELLayoutVersion = .y2018
        public var detectorString: String = "MID_DET_AGIPD1M-1"
        public var firstTrainId: UInt64 = 10_000
        /// Train indices (0-based within the run) that are lost in every channel.
        public var lostTrains: [Int] = []
        public var lostTrainMode: LostTrainMode = .absent
        /// Train indices whose trainId is replaced by a single bogus id (the outlier rule):
        /// `firstTrainId + index + outlierOffset`, in INDEX/trainId, the headers and the frames.
        public var outlierTrains: [Int] = []
        public var outlierOffset: UInt64 = 1_000_000
        /// Channels for which no files are written.
        public var missingChannels: [Int] = []
        /// Channel → number of leading trains it misses (starts late).
        public var lateChannels: [Int: Int] = [:]
        /// 2017-style interleaved frames: 2 frames per cell (analog, then digital, both in
        /// plane 0; plane 1 zero), cellId = frame number 0…2n−1.
        public var interleaved: Bool = false
        /// Which INDEX arrays are padded with trailing zeros (all three occur in real files).
        public var indexPadding: XFELIndexPadding = .trainId
        /// σ of the digital (gain-stage) value in ADU.
        public var digitalNoise: Double = 20
        /// Faulty pixels (AGIPD index r · 512 + c), the same in every channel, stage and cell.
        public var faults: [Int: PixelFault] = [:]
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    /// The stage names of runs[0], runs[1], runs[2].
    public static let stageNames = ["high", "medium", "low"]

    /// The known truth of one AGIPD-orientation pixel (stage = index into `runs`).
    public func truth(channel: Int, stage: Int, cell: Int, row: Int, column: Int) -> SimulatedPixel {
        TruthModel(seed: options.seed, faults: options.faults).pixel(channel: channel, stage: stage, cell: cell, row: row, column: column)
    }

    /// The train id written for train `index` (0-based), or nil if it is lost/not written
    /// for `channel` (lost, or before a late channel's start).
    public func trainId(index: Int, channel: Int) -> UInt64? {
        if index < (options.lateChannels[channel] ?? 0) { return nil }
        if options.lostTrains.contains(index) && options.lostTrainMode == .absent { return nil }
        let id = options.firstTrainId + UInt64(index)
        return options.outlierTrains.contains(index) ? id + options.outlierOffset : id
    }

    /// The sequence file that holds train `index`: trains are split into contiguous, even blocks.
    public func sequence(ofTrain index: Int) -> Int { index * options.sequences / options.trains }

    public static func rawFileName(run: Int, channel: Int, sequence: Int) -> String {
        "RAW-R\(pad(run, 4))-AGIPD\(pad(channel, 2))-S\(pad(sequence, 5)).h5"
    }

    public static func rawRunDirectory(inputDir: String, run: Int) -> String { "\(inputDir)/raw/r\(pad(run, 4))" }

    public static func truthPath(inputDir: String) -> String { "\(inputDir)/truth.h5" }

    /// Checks the options; every message names the option.
    public func validate() throws {
        let o = options
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        guard (1...3).contains(o.runs.count) else { throw bad("runs", "need 1 to 3 runs (high, medium, low), got \(o.runs.count)") }
        guard Set(o.runs).count == o.runs.count, o.runs.allSatisfy({ (0...9999).contains($0) }) else {
            throw bad("runs", "run numbers must be distinct and within 0…9999: \(o.runs)")
        }
        guard !o.channels.isEmpty, Set(o.channels).count == o.channels.count,
              o.channels.allSatisfy({ (0...15).contains($0) }) else {
            throw bad("channels", "need distinct channels within 0…15: \(o.channels)")
        }
        guard o.trains >= 1 else { throw bad("trains", "must be at least 1") }
        guard (1...352).contains(o.cells) else { throw bad("cells", "must be within 1…352, got \(o.cells)") }
        guard (1...o.trains).contains(o.sequences) else { throw bad("sequences", "must be within 1…trains (\(o.trains))") }
        try SimulatedRun.checkFaults(trains: o.trains, channels: o.channels, lostTrains: o.lostTrains,
                                     outlierTrains: o.outlierTrains, lateChannels: o.lateChannels, missingChannels: o.missingChannels)
        guard !o.detectorString.isEmpty, !o.detectorString.contains("/") else {
            throw bad("detectorString", "must be a non-empty source prefix such as MID_DET_AGIPD1M-1")
        }
        guard o.firstTrainId > 0 else { throw bad("firstTrainId", "0 means padding in INDEX/trainId") }
        guard o.digitalNoise >= 0 else { throw bad("digitalNoise", "must not be negative") }
    }

    /// Writes `<inputDir>/raw/rNNNN/RAW-…h5` for every run, channel and sequence, and
    /// `<inputDir>/truth.h5`. Returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String {
        try validate()
        let o = options
        for run in o.runs { try Self.makeDirectory(Self.rawRunDirectory(inputDir: inputDir, run: run)) }
        let truthModel = TruthModel(seed: o.seed, faults: o.faults)
        let synthesizer = FrameSynthesizer(cells: o.cells, interleaved: o.interleaved,
                                           digitalNoise: o.digitalNoise, normals: NormalTable(seed: o.seed))
        let truthPath = Self.truthPath(inputDir: inputDir)
        let truthWriter = try TruthFileWriter(path: truthPath, options: o, model: truthModel)
        for channel in o.channels.sorted() {
            try truthWriter.beginChannel(channel)
            for (stage, run) in o.runs.enumerated() {
                try truthWriter.writeStage(stage)
                guard !o.missingChannels.contains(channel) else { continue }
                synthesizer.load(truth: truthModel, channel: channel, stage: stage)
                try writeRun(run, stage: stage, channel: channel, inputDir: inputDir, synthesizer: synthesizer)
            }
        }
        try truthWriter.finish()
        return truthPath
    }

    private func writeRun(_ run: Int, stage: Int, channel: Int, inputDir: String,
                          synthesizer: FrameSynthesizer) throws {
        let o = options
        var perSequence = [[SimulatedTrain]](repeating: [], count: o.sequences)
        for index in 0..<o.trains {
            guard let id = trainId(index: index, channel: channel) else { continue }
            let lost = o.lostTrains.contains(index)
            perSequence[sequence(ofTrain: index)].append(SimulatedTrain(
                index: index, trainId: id, frames: lost ? 0 : synthesizer.framesPerTrain,
                flag: o.outlierTrains.contains(index) ? 0 : 1))
        }
        let seed = o.seed
        for (seq, trains) in perSequence.enumerated() {
            let writer = RawSequenceWriter(layout: o.layout,
                                           source: XFELSource(detectorString: o.detectorString, channel: channel),
                                           run: run, sequence: seq, interleaved: o.interleaved,
                                           padding: o.indexPadding)
            let path = "\(Self.rawRunDirectory(inputDir: inputDir, run: run))/"
                + Self.rawFileName(run: run, channel: channel, sequence: seq)
            try writer.write(path: path, trains: trains, synthesizer: synthesizer) { index in
                SplitMix64.key(seed, 0x4652_414D, UInt64(channel), UInt64(stage), UInt64(index))
            }
        }
    }

    // MARK: Summary

    /// Number of raw files `write` creates.
    public var fileCount: Int {
        (options.channels.count - Set(options.missingChannels).count) * options.runs.count * options.sequences
    }

    /// Bytes of image data `write` creates (the bulk of the output).
    public var imageBytes: Int {
        let framesPerTrain = options.interleaved ? 2 * options.cells : options.cells
        var trains = 0
        for channel in options.channels where !options.missingChannels.contains(channel) {
            trains += (0..<options.trains).filter {
                trainId(index: $0, channel: channel) != nil && !options.lostTrains.contains($0)
            }.count
        }
        return trains * options.runs.count * framesPerTrain * 2 * 512 * 128 * 2
    }

    /// What `write` produces, for `calfarm simulate`.
    public var description: String {
        let o = options
        var lines = [
            "simulated AGIPD dark: runs \(o.runs.map { String($0) }.joined(separator: ", ")) "
                + "(\(Self.stageNames.prefix(o.runs.count).joined(separator: "/")) gain), "
                + "\(o.layout.rawValue) layout, detector \(o.detectorString)",
            "channels \(o.channels.sorted().map { String($0) }.joined(separator: ",")); "
                + "\(o.trains) trains × \(o.cells) cells\(o.interleaved ? " (interleaved)" : ""), "
                + "\(o.sequences) sequence file(s) per run and channel, train ids from \(o.firstTrainId), seed \(o.seed)",
            "INDEX padding: \(o.indexPadding.rawValue)",
            "\(fileCount) raw files, \(Self.formatBytes(imageBytes)) of image data, plus truth.h5",
        ]
        if !o.lostTrains.isEmpty {
            lines.append("lost trains (\(o.lostTrainMode.rawValue)): \(o.lostTrains.sorted())")
        }
        if !o.outlierTrains.isEmpty { lines.append("bogus train ids at train indices: \(o.outlierTrains.sorted())") }
        if !o.missingChannels.isEmpty { lines.append("channels without files: \(o.missingChannels.sorted())") }
        if !o.lateChannels.isEmpty {
            lines.append("late channels: " + o.lateChannels.sorted { $0.key < $1.key }
                .map { "\($0.key) misses \($0.value) train(s)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SimulationError.cannotCreateDirectory(path: path, reason: error.localizedDescription)
        }
    }
}
