import Foundation

/// The product of the preprocess step for one run: a common train slot for every train of
/// every channel and sequence, so lost trains become gaps and late channels line up
/// (agipd-reference §6.1). JSON, documented in docs/formats.md; replaces the original's INI.
/// This type is the only reader and writer of the format.
public struct PreprocessResult: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    /// One sequence file of one channel.
    public struct Sequence: Codable, Sendable, Equatable {
        public var sequence: Int
        /// File name inside the run directory.
        public var file: String
        /// Position in the file's INDEX arrays of the first entry listed below.
        public var indexOffset: Int
        /// `INDEX/trainId` of each listed entry (first to last non-zero count).
        public var trainIds: [UInt64]
        /// Train slot of each entry; -1 = skipped (outlier train id).
        public var slots: [Int]
        /// First frame (`INDEX/…/image/first`) of each entry.
        public var firstFrames: [Int]
        /// Frame count of each entry (0 = train lost in this file).
        public var counts: [Int]

        public init(sequence: Int, file: String, indexOffset: Int, trainIds: [UInt64], slots: [Int],
                    firstFrames: [Int], counts: [Int]) {
            self.sequence = sequence; self.file = file; self.indexOffset = indexOffset
            self.trainIds = trainIds; self.slots = slots; self.firstFrames = firstFrames; self.counts = counts
        }
    }

    public struct Channel: Codable, Sendable, Equatable {
        public var channel: Int
        public var sequences: [Sequence]
        /// Train ids flagged by the single-bogus-id rule and skipped.
        public var outlierTrainIds: [UInt64]
        public init(channel: Int, sequences: [Sequence], outlierTrainIds: [UInt64] = []) {
            self.channel = channel; self.sequences = sequences; self.outlierTrainIds = outlierTrainIds
        }
    }

    public var formatVersion: Int
    /// CalFarm version that wrote the file.
    public var software: String
    public var run: Int
    public var layout: XFELLayoutVersion
    public var detectorString: String
    public var interleaved: Bool
    /// Memory cells in use: max cellId over all channels and sequences + 1 (halved if interleaved).
    public var cells: Int
    /// Slots to allocate: max slot + 1 (the span, so lost trains fit; the original counted trains).
    public var slotCount: Int
    /// Train id of slot 0 (the earliest first train id over all channels).
    public var firstTrainId: UInt64
    public var channels: [Channel]
    /// Channels requested but without any file or data in this run.
    public var missingChannels: [Int]
    /// Meaningful sanity checks that did not pass (§6.10), as text naming file and channel.
    public var warnings: [String]

    public init(software: String, run: Int, layout: XFELLayoutVersion, detectorString: String,
                interleaved: Bool, cells: Int, slotCount: Int, firstTrainId: UInt64, channels: [Channel],
                missingChannels: [Int], warnings: [String]) {
        self.formatVersion = Self.currentFormatVersion
        self.software = software; self.run = run; self.layout = layout; self.detectorString = detectorString
        self.interleaved = interleaved; self.cells = cells; self.slotCount = slotCount
        self.firstTrainId = firstTrainId; self.channels = channels; self.missingChannels = missingChannels
        self.warnings = warnings
    }

    public func channel(_ number: Int) -> Channel? { channels.first { $0.channel == number } }
}
