import AGIPD
import HDF5

/// Which per-train INDEX arrays a simulated file pads with trailing zeros to a chunk size
/// (docs/formats.md, "INDEX"). Readers must accept all three.
public enum XFELIndexPadding: String, Sendable, CaseIterable {
    /// `INDEX/trainId` (with `flag`, `timestamp`) padded, `INDEX/<source>/<group>/{first,count}`
    /// exactly one entry per train: what EXtra-data's mock writer produces.
    case trainId = "train-id"
    /// Every per-train array padded.
    case all
    /// Nothing padded.
    case none
}

/// Makes the frames of one train, in the raw layout (frames, 2, 512, 128), into a reused buffer.
protocol TrainSynthesizer: AnyObject {
    var framesPerTrain: Int { get }
    /// The frames of the last `synthesizeTrain` call.
    var frames: [UInt16] { get }
    /// The cellId of each frame of train `index` (0…n−1 unless the cells are shuffled).
    func cellIds(train index: Int) -> [UInt16]
    /// Fills `frames` with train `index` (0-based within the run), drawn from `streamKey`.
    func synthesizeTrain(index: Int, streamKey: UInt64)
    /// Whether `frames` are in AGIPD orientation (r · 512 + c) already, not XFEL channel 0's.
    var framesInAGIPDOrder: Bool { get }
}

extension TrainSynthesizer {
    func cellIds(train index: Int) -> [UInt16] { (0..<framesPerTrain).map { UInt16($0) } }
    var framesInAGIPDOrder: Bool { false }
}

extension FrameSynthesizer: TrainSynthesizer {
    func synthesizeTrain(index: Int, streamKey: UInt64) { synthesizeTrain(streamKey: streamKey) }
}

/// One INDEX row of a simulated sequence file.
struct SimulatedTrain {
    /// 0-based train number within the run (keys the random stream).
    var index: Int
    var trainId: UInt64
    /// Frames stored for this train; 0 = an empty train (listed, no data).
    var frames: Int
    /// `INDEX/flag`: 0 for a bogus (outlier) train id, as the DAQ marks ids not from the time server.
    var flag: Int32
}

/// Writes one raw sequence file `RAW-R…-AGIPD…-S….h5` in the European XFEL DAQ layout
/// (agipd-reference §5.1), including the METADATA and INDEX entries EXtra-data needs to open
/// it: 2018 = file format 1.0 (`INDEX/{first,count}`, `INDEX/flag`, `METADATA/dataSources`),
/// 2017 = format 0.5 (`INDEX/{first,last,status}`, `METADATA/dataSourceId`).
struct RawSequenceWriter {
    /// Per-train arrays are padded with trailing zeros to a multiple of this, like the DAQ's chunks.
    static let indexPadding = 16
    static let creationDate = "20190101T000000Z"
    /// 2019-01-01T00:00:00Z in ns; train t is stamped 100 ms × trainId later (10 Hz).
    static let epochNanoseconds: UInt64 = 1_546_300_800_000_000_000

    let layout: XFELLayoutVersion
    let source: XFELSource
    let run: Int
    let sequence: Int
    let interleaved: Bool
    let padding: XFELIndexPadding

    func write(path: String, trains: [SimulatedTrain], synthesizer: some TrainSynthesizer,
               streamKey: (Int) -> UInt64) throws {
        let file = try File.create(path)
        let root = file.root
        let rows = trains.count
        let padded = padding == .none
            ? rows : max(Self.indexPadding, (rows + Self.indexPadding - 1) / Self.indexPadding * Self.indexPadding)
        func pad<T: HDF5Scalar & Numeric>(_ values: [T]) -> [T] {
            values + [T](repeating: 0, count: padded - values.count)
        }
        // The per-source INDEX arrays: padded only in the `.all` variant.
        let sourceRows = padding == .all ? padded : rows
        func padSource<T: HDF5Scalar & Numeric>(_ values: [T]) -> [T] {
            values + [T](repeating: 0, count: sourceRows - values.count)
        }
        let ids = trains.map(\.trainId)
        let counts = trains.map { UInt64($0.frames) }
        var firsts = [UInt64](), next: UInt64 = 0
        for count in counts { firsts.append(next); next += count }
        let totalFrames = Int(next)

        // INDEX
        try root.write(XFELSource.indexTrainId, pad(ids), shape: [padded])
        if layout == .y2018 {
            try root.write(XFELSource.indexFlag, pad(trains.map(\.flag)), shape: [padded])
            try root.write(XFELSource.indexTimestamp,
                           pad(ids.map { Self.epochNanoseconds &+ $0 &* 100_000_000 }), shape: [padded])
        }
        let rowNumbers = (0..<rows).map { UInt64($0) }
        for group in XFELSource.outputGroups {
            // Image rows point into the frame arrays; header/detector/trailer have one entry per row.
            let first = group == "image" ? firsts : rowNumbers
            let count = group == "image" ? counts : [UInt64](repeating: 1, count: rows)
            let dir = source.indexGroup(group)
            try root.write("\(dir)/first", padSource(first), shape: [sourceRows])
            if layout == .y2018 {
                try root.write("\(dir)/count", padSource(count), shape: [sourceRows])
            } else {
                // 2017: `last` of an empty train repeats `first`; `status` 0 marks it empty.
                let last = zip(first, count).map { $1 > 0 ? $0 + $1 - 1 : $0 }
                try root.write("\(dir)/last", padSource(last), shape: [sourceRows])
                try root.write("\(dir)/status", padSource(count.map { UInt32($0 > 0 ? 1 : 0) }), shape: [sourceRows])
            }
        }

        // INSTRUMENT: per-train groups
        try root.write(source.headerTrainId, pad(ids), shape: [padded])
        try root.write(source.headerPulseCount, pad(counts), shape: [padded])
        try root.write(source.trailerTrainId, pad(ids), shape: [padded])
        try root.write(source.detectorTrainId, pad(ids), shape: [padded])

        // INSTRUMENT: per-frame arrays
        var cellIds = [UInt16](), frameTrainIds = [UInt64](), pulseIds = [UInt64]()
        cellIds.reserveCapacity(totalFrames); frameTrainIds.reserveCapacity(totalFrames)
        pulseIds.reserveCapacity(totalFrames)
        for train in trains where train.frames > 0 {
            // Interleaved (2017) data number the frames, not the cells: 0…2n−1.
            let ids = synthesizer.cellIds(train: train.index)
            for frame in 0..<train.frames {
                cellIds.append(ids[frame])
                pulseIds.append(UInt64(interleaved ? frame / 2 : frame))
                frameTrainIds.append(train.trainId)
            }
        }
        try root.write(source.cellId, cellIds, shape: [totalFrames, 1])
        try root.write(source.frameTrainId, frameTrainIds, shape: [totalFrames, 1])
        try root.write(source.pulseId, pulseIds, shape: [totalFrames, 1])
        try root.write(source.imageLength, [UInt32](repeating: 2 * 512 * 128 * 2, count: totalFrames),
                       shape: [totalFrames, 1])
        try root.write(source.imageStatus, [UInt16](repeating: 0, count: totalFrames), shape: [totalFrames, 1])

        let data = try root.createDataset(source.imageData, of: UInt16.self, shape: [totalFrames, 2, 512, 128])
        for (row, train) in trains.enumerated() where train.frames > 0 {
            precondition(train.frames == synthesizer.framesPerTrain, "simulated trains are full")
            synthesizer.synthesizeTrain(index: train.index, streamKey: streamKey(train.index))
            try synthesizer.frames.withUnsafeBufferPointer { buffer in
                try data.write(from: buffer, selection: Hyperslab(start: [Int(firsts[row]), 0, 0, 0],
                                                                   count: [train.frames, 2, 512, 128]))
            }
        }

        _ = try root.createGroup("RUN")
        _ = try root.createGroup("CONTROL")
        try writeMetadata(root)
        try file.close()
    }

    private func writeMetadata(_ root: Group) throws {
        let ids = source.dataSourceIds
        let sources = XFELSource.metadataSourcesGroup(layout)
        try root.writeStrings("\(sources)/dataSourceId", ids)
        try root.writeStrings("\(sources)/root", ids.map { String($0.prefix { $0 != "/" }) })
        try root.writeStrings("\(sources)/deviceId", ids.map { String($0.drop { $0 != "/" }.dropFirst()) })
        guard layout == .y2018 else { return }
        try root.writeStrings(XFELSource.metadataFormatVersion, ["1.0"])
        try root.writeStrings("METADATA/creationDate", [Self.creationDate])
        try root.writeStrings("METADATA/updateDate", [Self.creationDate])
        try root.writeStrings("METADATA/daqLibrary", ["1.9.0"])
        try root.writeStrings("METADATA/karaboFramework", ["2.7.0"])
        try root.writeStrings("METADATA/runType", ["CalFarm simulated dark"])
        try root.writeStrings("METADATA/sample", ["No Sample"])
        try root.write("METADATA/proposalNumber", [UInt32(0)], shape: [1])
        try root.write("METADATA/runNumber", [UInt32(run)], shape: [1])
        try root.write("METADATA/sequenceNumber", [UInt32(sequence)], shape: [1])
    }
}
