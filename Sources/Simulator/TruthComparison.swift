import Foundation
import HDF5

/// Compares joined dark constants (`…_joined_constants_agipd.h5`) with the simulator's truth
/// file, channel by channel and gain stage by gain stage (`calfarm compare-truth`).
///
/// Per stage it reports the mean |offset − truth offset| in ADU and the fraction of pixels whose
/// offset lies within `offsetSigmas` standard errors (truth noise / √frames) plus the integer
/// truncation; the median of stddev / truth noise against the median a population standard
/// deviation of n frames has (Wilson–Hilferty: √(k(1 − 2/(9k))³ / n), k = n − 1); and the mean
/// |gain level − truth| against `gainLevelSigmas` · σ_digital / √n plus the truncation. The frame
/// count n comes from the joined `frame_count` when present, else from the truth's `trains`
/// minus lost trains and the channel's late start. Masked pixels (`pixel_mask` = 1) and pixels
/// without frames are not compared; masked pixels and absent ASICs are counted as missing.
///
/// Memory: a few module-sized buffers, reused for every (stage, cell), whatever the number of cells.
public struct TruthComparison: Sendable {
    /// Input files that cannot be compared; each case names the file and dataset.
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case missingFile(path: String, role: String)
        case missingDataset(file: String, dataset: String)
        case shapeMismatch(file: String, dataset: String, expected: [Int], found: [Int])
        case unknownFrameCount(file: String, channel: Int)
        case noTruthChannels(file: String)

        public var description: String {
            switch self {
            case let .missingFile(path, role): "\(role) file '\(path)' does not exist"
            case let .missingDataset(file, dataset): "'\(file)' has no dataset \(dataset)"
            case let .shapeMismatch(file, dataset, expected, found):
                "'\(file)' dataset \(dataset) has shape \(found), expected \(expected)"
            case let .unknownFrameCount(file, channel):
                "'\(file)' channel \(channel): no frame_count dataset and no trains attribute in the truth file"
            case let .noTruthChannels(file): "truth file '\(file)' has no channelCC groups"
            }
        }
    }

    /// When a stage agrees; see the type's documentation for the formulas.
    public struct Tolerances: Sendable, Codable, Equatable {
        public var offsetSigmas = 5.0
        /// ADU added to every bound: offset and gain level are stored truncated to integers.
        public var truncation = 1.0
        /// Fraction of compared pixels whose offset must lie within the bound.
        public var offsetFraction = 0.999
        /// Allowed |median(stddev / noise) − expected median|.
        public var noiseRatio = 0.05
        public var gainLevelSigmas = 2.0
        public init() {}
    }

    /// One gain stage of one channel.
    public struct StageResult: Sendable, Codable, Equatable {
        public var stage: String
        /// (pixel, cell) pairs compared.
        public var pixels: Int
        /// (pixel, cell) pairs skipped: masked or without frames.
        public var skipped: Int
        /// Mean frame count of the compared pixels.
        public var frames: Double
        public var offsetMeanAbsDifference: Double
        public var offsetWithinFraction: Double
        public var noiseMedianRatio: Double
        public var expectedNoiseRatio: Double
        public var gainLevelMeanAbsDifference: Double
        public var gainLevelLimit: Double
        public var agrees: Bool
    }

    public struct ChannelResult: Sendable, Codable, Equatable {
        public var channel: Int
        public var stages: [StageResult]
        /// Module pixels flagged in `pixel_mask`.
        public var missingPixels: Int
        /// ASICs with `asic_present` = 0.
        public var missingASICs: [Int]
        public var problems: [String]
        public var agrees: Bool
    }

    public struct Report: Sendable, Codable, Equatable {
        public var truth: String
        public var constants: String
        public var tolerances: Tolerances
        public var channels: [ChannelResult]
        /// Truth channels simulated without raw files: rightly absent from the constants.
        public var expectedAbsent: [Int]
        /// Truth channels with raw files but no constants.
        public var absent: [Int]
        /// Constant channels the truth does not know.
        public var unexpected: [Int]
        public var agrees: Bool
    }

    public var truthPath: String
    public var constantsPath: String
    public var tolerances: Tolerances
    /// Accept masked pixels and absent channels (e.g. a request for some ASICs only).
    public var allowMissing: Bool

    public init(truthPath: String, constantsPath: String, tolerances: Tolerances = Tolerances(), allowMissing: Bool = false) {
        self.truthPath = truthPath
        self.constantsPath = constantsPath
        self.tolerances = tolerances
        self.allowMissing = allowMissing
    }

    /// Reads both files and compares every channel present in either.
    /// - Throws: ``Error`` for missing files, datasets or frame counts and for shape mismatches;
    ///   `HDF5Error` for unreadable files.
    public func run() throws -> Report {
        for (path, role) in [(truthPath, "truth"), (constantsPath, "constants")]
        where !FileManager.default.fileExists(atPath: path) {
            throw Error.missingFile(path: path, role: role)
        }
        let truth = try File.open(truthPath)
        defer { try? truth.close() }
        let constants = try File.open(constantsPath)
        defer { try? constants.close() }
        let truthChannels = try Self.channels(in: truth.root)
        guard !truthChannels.isEmpty else { throw Error.noTruthChannels(file: truthPath) }
        var constantChannels = Set(try Self.channels(in: constants.root))
        let module = SimulationTruthFile.module(of: truth.root)
        if let module, constants.root.exists(module) { constantChannels.insert(0) }
        let context = try TruthContext(root: truth.root)
        let buffers = ComparisonBuffers()
        var report = Report(truth: truthPath, constants: constantsPath, tolerances: tolerances, channels: [],
                            expectedAbsent: [], absent: [], unexpected: constantChannels.subtracting(truthChannels).sorted(),
                            agrees: true)
        for channel in truthChannels {
            let name = Self.groupName(channel)
            guard constantChannels.contains(channel) else {
                let hasFiles = (try? truth.root.group(name).attribute("hasFiles", as: Int64.self)) ?? 1
                if hasFiles == 0 { report.expectedAbsent.append(channel) } else { report.absent.append(channel) }
                continue
            }
            report.channels.append(try compareChannel(channel, truth: truth.root.group(name),
                                                      constants: constants.root.group(module ?? name),
                                                      context: context, buffers: buffers))
        }
        report.agrees = !report.channels.isEmpty && report.channels.allSatisfy(\.agrees)
            && report.unexpected.isEmpty && (allowMissing || report.absent.isEmpty)
        return report
    }

    private func compareChannel(_ channel: Int, truth: Group, constants: Group, context: TruthContext,
                                buffers: ComparisonBuffers) throws -> ChannelResult {
        let truthShape = try shape(of: "offset", in: truth, file: truthPath, channel: channel)
        let stages = min(truthShape[0], 3), cells = truthShape[1]
        for name in ["noise", "gainlevel"] { try require(name, in: truth, file: truthPath, channel: channel, shape: truthShape) }
        let constantShape = [3, cells, 128, 512]
        for name in ["offset", "gainlevel_mean", "stddev"] {
            try require(name, in: constants, file: constantsPath, channel: channel, shape: constantShape)
        }
        let hasFrameCount = constants.exists("frame_count")
        if hasFrameCount {
            try require("frame_count", in: constants, file: constantsPath, channel: channel, shape: constantShape)
        }
        let fallbackFrames = context.frames(channel: channel)
        guard hasFrameCount || fallbackFrames != nil else { throw Error.unknownFrameCount(file: constantsPath, channel: channel) }
        buffers.mask.update(repeating: 0)
        if constants.exists("pixel_mask") {
            try require("pixel_mask", in: constants, file: constantsPath, channel: channel, shape: [128, 512])
            try constants.dataset("pixel_mask").read(into: buffers.mask)
        }
        let present = constants.exists("asic_present") ? try constants.dataset("asic_present").read(UInt8.self) : []
        var result = ChannelResult(channel: channel, stages: [], missingPixels: buffers.mask.count(where: { $0 != 0 }),
                                   missingASICs: present.indices.filter { present[$0] == 0 }.map { $0 + 1 },
                                   problems: [], agrees: true)
        let sources = StageSources(
            offset: try constants.dataset("offset"), gainLevel: try constants.dataset("gainlevel_mean"),
            stddev: try constants.dataset("stddev"), frameCount: hasFrameCount ? try constants.dataset("frame_count") : nil,
            truthOffset: try truth.dataset("offset"), truthNoise: try truth.dataset("noise"),
            truthGainLevel: try truth.dataset("gainlevel"))
        for stage in 0..<stages {
            let name = stage < context.stageNames.count ? context.stageNames[stage] : "stage\(stage)"
            let stageResult = try compareStage(stage, name: name, cells: cells, sources: sources,
                                               fallbackFrames: fallbackFrames ?? 0, digitalNoise: context.digitalNoise,
                                               buffers: buffers)
            if !stageResult.agrees { result.problems.append(contentsOf: problems(of: stageResult)) }
            result.stages.append(stageResult)
        }
        if result.missingPixels > 0 && !allowMissing {
            result.problems.append("\(result.missingPixels) pixels masked (ASICs \(Self.compact(result.missingASICs)))")
        }
        result.agrees = result.problems.isEmpty
        return result
    }

    private func compareStage(_ stage: Int, name: String, cells: Int, sources: StageSources, fallbackFrames: Int,
                              digitalNoise: Double, buffers: ComparisonBuffers) throws -> StageResult {
        var compared = 0, skipped = 0, within = 0
        var frameSum = 0.0, offsetSum = 0.0, gainSum = 0.0
        buffers.histogram.update(repeating: 0)
        for cell in 0..<cells {
            let slab = Hyperslab(start: [stage, cell, 0, 0], count: [1, 1, 128, 512])
            try buffers.read(sources, slab)
            for i in 0..<ComparisonBuffers.pixels {
                let frames = sources.frameCount == nil ? Double(fallbackFrames) : buffers.frames[i]
                let stddev = buffers.stddev[i], noise = buffers.truthNoise[i]
                guard buffers.mask[i] == 0, frames > 0, stddev.isFinite, noise > 0 else { skipped += 1; continue }
                compared += 1
                frameSum += frames
                let offsetDifference = abs(buffers.offset[i] - buffers.truthOffset[i])
                offsetSum += offsetDifference
                if offsetDifference <= tolerances.offsetSigmas * noise / frames.squareRoot() + tolerances.truncation { within += 1 }
                gainSum += abs(buffers.gainLevel[i] - buffers.truthGainLevel[i])
                let bin = Int((stddev / noise / ComparisonBuffers.binWidth).rounded(.down))
                buffers.histogram[min(max(bin, 0), buffers.histogram.count - 1)] += 1
            }
        }
        let meanFrames = compared == 0 ? 0 : frameSum / Double(compared)
        let expected = Self.expectedNoiseRatio(frames: meanFrames)
        let median = buffers.medianRatio(of: compared)
        let divisor = Double(max(compared, 1))
        var result = StageResult(
            stage: name, pixels: compared, skipped: skipped, frames: meanFrames,
            offsetMeanAbsDifference: offsetSum / divisor, offsetWithinFraction: Double(within) / divisor,
            noiseMedianRatio: median, expectedNoiseRatio: expected, gainLevelMeanAbsDifference: gainSum / divisor,
            gainLevelLimit: tolerances.truncation + tolerances.gainLevelSigmas * digitalNoise / max(meanFrames, 1).squareRoot(),
            agrees: false)
        result.agrees = compared > 0 && result.offsetWithinFraction >= tolerances.offsetFraction
            && abs(median - expected) <= tolerances.noiseRatio && result.gainLevelMeanAbsDifference <= result.gainLevelLimit
        return result
    }

    private func problems(of stage: StageResult) -> [String] {
        var problems: [String] = []
        if stage.pixels == 0 { problems.append("\(stage.stage): no pixel with frames") }
        if stage.offsetWithinFraction < tolerances.offsetFraction {
            problems.append(String(format: "%@: offset within bound for %.2f%% of pixels (need %.2f%%)", stage.stage,
                                   100 * stage.offsetWithinFraction, 100 * tolerances.offsetFraction))
        }
        if abs(stage.noiseMedianRatio - stage.expectedNoiseRatio) > tolerances.noiseRatio {
            problems.append(String(format: "%@: median noise ratio %.3f, expected %.3f ± %.3f", stage.stage,
                                   stage.noiseMedianRatio, stage.expectedNoiseRatio, tolerances.noiseRatio))
        }
        if stage.gainLevelMeanAbsDifference > stage.gainLevelLimit {
            problems.append(String(format: "%@: mean gain level difference %.2f ADU above %.2f", stage.stage,
                                   stage.gainLevelMeanAbsDifference, stage.gainLevelLimit))
        }
        return problems
    }

    /// Median of the population standard deviation of n normal frames over the true σ.
    public static func expectedNoiseRatio(frames n: Double) -> Double {
        let k = n - 1
        guard k >= 1 else { return 0 }
        let median = k * pow(1 - 2 / (9 * k), 3)
        return (median / n).squareRoot()
    }

    /// `[1, 2, 3, 8]` → `1-3,8`.
    static func compact(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var rest = numbers.sorted()[...]
        while let first = rest.popFirst() {
            var last = first
            while rest.first == last + 1 { last = rest.removeFirst() }
            parts.append(first == last ? "\(first)" : "\(first)-\(last)")
        }
        return parts.joined(separator: ",")
    }

    static func groupName(_ channel: Int) -> String { channel < 10 ? "channel0\(channel)" : "channel\(channel)" }

    /// Channel numbers of the `channelCC` groups under `root`.
    static func channels(in root: Group) throws -> [Int] {
        try root.children().compactMap { name in
            guard name.hasPrefix("channel"), name.count == 9 else { return nil }
            return Int(name.dropFirst(7))
        }.sorted()
    }

    private func shape(of name: String, in group: Group, file: String, channel: Int) throws -> [Int] {
        let path = "\(Self.groupName(channel))/\(name)"
        guard group.exists(name) else { throw Error.missingDataset(file: file, dataset: path) }
        let shape = try group.dataset(name).extent().shape
        guard shape.count == 4, shape[0] >= 1, shape[1] >= 1, shape[2] == 128, shape[3] == 512 else {
            throw Error.shapeMismatch(file: file, dataset: path, expected: [3, -1, 128, 512], found: shape)
        }
        return shape
    }

    private func require(_ name: String, in group: Group, file: String, channel: Int, shape expected: [Int]) throws {
        let path = "\(Self.groupName(channel))/\(name)"
        guard group.exists(name) else { throw Error.missingDataset(file: file, dataset: path) }
        let shape = try group.dataset(name).extent().shape
        guard shape == expected else { throw Error.shapeMismatch(file: file, dataset: path, expected: expected, found: shape) }
    }
}

/// The truth file's root attributes that the comparison needs.
private struct TruthContext {
    var stageNames: [String]
    var trains: Int?
    var lostTrains: Int
    var lateTrains: [Int: Int]
    var digitalNoise: Double

    init(root: Group) throws {
        stageNames = root.hasAttribute("stages") ? try root.stringAttribute("stages").split(separator: ",").map(String.init)
                                                 : ["high", "medium", "low"]
        trains = root.hasAttribute("trains") ? Int(try root.attribute("trains", as: Int64.self)) : nil
        lostTrains = root.hasAttribute("lostTrains") ? try root.attributeArray("lostTrains", as: Int64.self).count : 0
        lateTrains = [:]
        if root.hasAttribute("lateChannels"), root.hasAttribute("lateChannelTrains") {
            let channels = try root.attributeArray("lateChannels", as: Int64.self)
            let counts = try root.attributeArray("lateChannelTrains", as: Int64.self)
            for (channel, count) in zip(channels, counts) { lateTrains[Int(channel)] = Int(count) }
        }
        digitalNoise = root.hasAttribute("digitalNoise") ? try root.attribute("digitalNoise", as: Double.self) : 20
    }

    /// Frames per pixel and cell of a channel when the constants carry no frame_count.
    func frames(channel: Int) -> Int? {
        trains.map { max(0, $0 - lostTrains - (lateTrains[channel] ?? 0)) }
    }
}

/// The datasets one stage reads.
private struct StageSources {
    var offset, gainLevel, stddev: Dataset
    var frameCount: Dataset?
    var truthOffset, truthNoise, truthGainLevel: Dataset
}

/// Module-sized buffers for one (stage, cell), allocated once per comparison, and the
/// histogram of stddev / noise (bins of 0.001 up to 4) the median is taken from.
private final class ComparisonBuffers {
    static let pixels = 128 * 512
    static let binWidth = 0.001
    let offset = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let gainLevel = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let stddev = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let frames = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let truthOffset = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let truthNoise = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let truthGainLevel = UnsafeMutableBufferPointer<Double>.allocate(capacity: pixels)
    let mask = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: pixels)
    let histogram = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4000)

    deinit {
        for buffer in [offset, gainLevel, stddev, frames, truthOffset, truthNoise, truthGainLevel] { buffer.deallocate() }
        mask.deallocate()
        histogram.deallocate()
    }

    func read(_ sources: StageSources, _ slab: Hyperslab) throws {
        try sources.offset.read(into: offset, selection: slab)
        try sources.gainLevel.read(into: gainLevel, selection: slab)
        try sources.stddev.read(into: stddev, selection: slab)
        if let frameCount = sources.frameCount { try frameCount.read(into: frames, selection: slab) }
        try sources.truthOffset.read(into: truthOffset, selection: slab)
        try sources.truthNoise.read(into: truthNoise, selection: slab)
        try sources.truthGainLevel.read(into: truthGainLevel, selection: slab)
    }

    /// The median ratio from the histogram (bin centre), 0 when nothing was counted.
    func medianRatio(of count: Int) -> Double {
        guard count > 0 else { return 0 }
        var seen = 0
        for bin in histogram.indices {
            seen += histogram[bin]
            if 2 * seen >= count { return (Double(bin) + 0.5) * Self.binWidth }
        }
        return Double(histogram.count) * Self.binWidth
    }
}
