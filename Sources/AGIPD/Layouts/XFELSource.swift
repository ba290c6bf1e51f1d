/// Dataset paths of one channel's data in a European XFEL raw file (agipd-reference §5.1).
/// `channel` appears unpadded in the source name: `INSTRUMENT/MID_DET_AGIPD1M-1/DET/3CH0:xtdf/image/data`.
public struct XFELSource: Sendable, Equatable {
    public var detectorString: String
    public var channel: Int

    public init(detectorString: String, channel: Int) {
        self.detectorString = detectorString
        self.channel = channel
    }

    /// `MID_DET_AGIPD1M-1/DET/3CH0:xtdf`
    public var sourceName: String { "\(detectorString)/DET/\(channel)CH0:xtdf" }
    public var instrumentGroup: String { "INSTRUMENT/\(sourceName)" }

    /// (frames, 2, 512, 128) uint16: [:,0] analog, [:,1] digital, XFEL orientation.
    public var imageData: String { "\(instrumentGroup)/image/data" }
    /// (frames, 1) uint16 memory cell of each frame.
    public var cellId: String { "\(instrumentGroup)/image/cellId" }
    /// (frames, 1) uint64.
    public var frameTrainId: String { "\(instrumentGroup)/image/trainId" }
    /// (frames, 1) uint64.
    public var pulseId: String { "\(instrumentGroup)/image/pulseId" }
    /// (trains,) per-train pulse count.
    public var headerPulseCount: String { "\(instrumentGroup)/header/pulseCount" }
    public var headerTrainId: String { "\(instrumentGroup)/header/trainId" }
    public var trailerTrainId: String { "\(instrumentGroup)/trailer/trainId" }
    public var detectorTrainId: String { "\(instrumentGroup)/detector/trainId" }

    /// `INDEX/trainId` (trains,) uint64, padded with trailing zeros.
    public static let indexTrainId = "INDEX/trainId"
    public var indexGroup: String { "INDEX/\(sourceName)/image" }
    /// (trains,) uint64 first frame of each train.
    public var indexFirst: String { "\(indexGroup)/first" }
    /// (trains,) uint64 frames per train (≥2018; 0 = empty train or padding).
    public var indexCount: String { "\(indexGroup)/count" }
    /// 2017 only: last frame index of each train. Its presence identifies the 2017 layout.
    public var indexLast: String { "\(indexGroup)/last" }
    /// 2017 only: non-zero for trains with data.
    public var indexStatus: String { "\(indexGroup)/status" }

    // MARK: Everything else a DAQ file holds for the source (simulator, sanity checks)

    /// The four output groups of an XTDF source; each has its own INDEX group.
    public static let outputGroups = ["detector", "header", "image", "trailer"]
    /// `INDEX/<source>/<group>` for one of `outputGroups`.
    public func indexGroup(_ group: String) -> String { "INDEX/\(sourceName)/\(group)" }
    /// (frames, 1) uint32 bytes per frame.
    public var imageLength: String { "\(instrumentGroup)/image/length" }
    /// (frames, 1) uint16 per-frame status.
    public var imageStatus: String { "\(instrumentGroup)/image/status" }
    /// Entries of `METADATA/…/dataSourceId` naming this source, one per output group.
    public var dataSourceIds: [String] { Self.outputGroups.map { "INSTRUMENT/\(sourceName)/\($0)" } }

    /// (trains,) int32 (file format ≥ 1.0): 1 = train id from the time server, 0 = suspect.
    public static let indexFlag = "INDEX/flag"
    /// (trains,) uint64 nanoseconds since the epoch (file format ≥ 1.0).
    public static let indexTimestamp = "INDEX/timestamp"
    /// 1-element string array, e.g. "1.0". Absent in format 0.5 (2017).
    public static let metadataFormatVersion = "METADATA/dataFormatVersion"
    /// Group holding `dataSourceId`, `root`, `deviceId` string arrays: `METADATA/dataSources`
    /// from format 1.0 on, `METADATA` itself in format 0.5.
    public static func metadataSourcesGroup(_ layout: XFELLayoutVersion) -> String {
        layout == .y2017 ? "METADATA" : "METADATA/dataSources"
    }
}

/// The raw-file layout generation, detected from the files (they carry no version marker).
public enum XFELLayoutVersion: String, Codable, Sendable, CaseIterable {
    /// `INDEX/…/image/{first,last,status}`, `header/pulseCount`.
    case y2017 = "2017"
    /// `INDEX/…/image/{first,count}`, `INDEX/trainId`.
    case y2018 = "2018"
}
