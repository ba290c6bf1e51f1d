import AGIPD
import HDF5

/// What preprocess needs from one raw sequence file: its per-train INDEX rows, the number of
/// frames and the largest cellId. Reading validates shapes and names the file and dataset
/// in every error.
struct PreprocessSequenceIndex {
    let path: String
    let fileName: String
    let sequence: Int
    /// Train id of every INDEX row up to the last non-zero `INDEX/trainId` (the trailing zero
    /// padding is not included; zeros before it are, and preprocess skips them).
    let trainIds: [UInt64]
    /// First frame of every row.
    let firsts: [UInt64]
    /// Frames of every row (2017: `last − first + 1` where `status ≠ 0`, else 0).
    let counts: [UInt64]
    /// Shape of `image/data`, checked: (frames, 2, 512, 128) or (frames, 512, 128).
    let imageShape: [Int]
    /// First dimension of `image/data`.
    var frames: Int { imageShape[0] }
    /// Largest `image/cellId`, nil when the file holds no frames.
    let maxCellId: Int?
    /// `header`, `trailer` and `detector` train ids, when all three exist (sanity check only).
    let headerTrainIds: [UInt64]?
    let trailerTrainIds: [UInt64]?
    let detectorTrainIds: [UInt64]?

    /// Rows from the first to the last with a non-zero count (nil when no row has data).
    var dataRows: ClosedRange<Int>? {
        guard let lo = counts.firstIndex(where: { $0 > 0 }), let hi = counts.lastIndex(where: { $0 > 0 }) else {
            return nil
        }
        return lo...hi
    }

    /// True if the file has the 2017 layout (`INDEX/…/image/last` exists).
    static func is2017Layout(path: String, source: XFELSource) throws -> Bool {
        let file = try open(path)
        defer { try? file.close() }
        try requireSource(file.root, source, path: path)
        return file.root.exists(source.indexLast)
    }

    static func read(path: String, fileName: String, sequence: Int, source: XFELSource,
                     layout: XFELLayoutVersion) throws -> PreprocessSequenceIndex {
        let file = try open(path)
        defer { try? file.close() }
        return try read(root: file.root, path: path, fileName: fileName, sequence: sequence, source: source, layout: layout)
    }

    /// The same from a file already open (the plan-time inspection has it open).
    static func read(root: Group, path: String, fileName: String, sequence: Int, source: XFELSource,
                     layout: XFELLayoutVersion) throws -> PreprocessSequenceIndex {
        try requireSource(root, source, path: path)
        return try mapping(path) {
            // The trains of a file, as EXtra-data reads them (docs/formats.md, "INDEX"): the
            // entries of INDEX/trainId up to its last non-zero one; the zeros after it pad the
            // dataset to a chunk. Row i of every INDEX/<source>/<group> array belongs to train
            // row i; entries past the trains are padding whatever they hold, and fewer entries
            // than trains is a real inconsistency.
            let allIds = try vector(root, XFELSource.indexTrainId, path)
            let trainRows = (allIds.lastIndex(where: { $0 != 0 }) ?? -1) + 1
            let trainIds = Array(allIds[..<trainRows])
            let rows = { (name: String) throws -> [UInt64] in
                try trainRowsOf(vector(root, name, path), name: name, trains: trainRows, path)
            }
            let firsts = try rows(source.indexFirst)
            let counts: [UInt64]
            switch layout {
            case .y2018:
                counts = try rows(source.indexCount)
            case .y2017:
                let lasts = try rows(source.indexLast)
                let status = try rows(source.indexStatus)
                var derived = [UInt64](repeating: 0, count: trainRows)
                for i in derived.indices where status[i] != 0 {
                    guard lasts[i] >= firsts[i] else {
                        throw CalibrationError.badInput(path: path, reason:
                            "\(source.indexLast)[\(i)] = \(lasts[i]) is before \(source.indexFirst)[\(i)] = \(firsts[i])")
                    }
                    derived[i] = lasts[i] - firsts[i] + 1
                }
                counts = derived
            }

            let imageShape = try imageShape(root, source, path: path)
            let frames = imageShape[0]
            let cellShape = try root.dataset(source.cellId).shape
            guard cellShape.first == frames, cellShape.count <= 2, cellShape.dropFirst().allSatisfy({ $0 == 1 }) else {
                throw CalibrationError.badInput(path: path, reason:
                    "\(source.cellId) has shape \(cellShape), expected (\(frames), 1) to match \(source.imageData)")
            }
            for i in counts.indices where counts[i] > 0 && firsts[i] + counts[i] > UInt64(frames) {
                throw CalibrationError.badInput(path: path, reason:
                    "train \(trainIds[i]) (\(source.indexGroup) row \(i)) needs frames \(firsts[i])..<\(firsts[i] + counts[i]) "
                        + "but \(source.imageData) has \(frames)")
            }
            let maxCell = frames > 0 ? Int(try root.dataset(source.cellId).read(UInt16.self).max() ?? 0) : nil

            let optional = { (name: String) -> [UInt64]? in
                root.exists(name) ? try vector(root, name, path) : nil
            }
            return PreprocessSequenceIndex(
                path: path, fileName: fileName, sequence: sequence, trainIds: trainIds, firsts: firsts,
                counts: counts, imageShape: imageShape, maxCellId: maxCell,
                headerTrainIds: try optional(source.headerTrainId),
                trailerTrainIds: try optional(source.trailerTrainId),
                detectorTrainIds: try optional(source.detectorTrainId))
        }
    }

    /// The shape of `image/data`, after checking its type and shape: (frames, 2, 512, 128)
    /// uint16, or (frames, 512, 128) for interleaved data stored as one plane.
    static func imageShape(_ root: Group, _ source: XFELSource, path: String) throws -> [Int] {
        let image = try root.dataset(source.imageData, chunkCacheBytes: DatasetOptions.smallChunkCacheBytes)
        let shape = image.shape
        let frame = [ModuleGeometry.columns, ModuleGeometry.rows]
        guard (shape.count == 4 && shape[1] == 2 && Array(shape[2...]) == frame)
                || (shape.count == 3 && Array(shape[1...]) == frame) else {
            throw CalibrationError.badInput(path: path, reason:
                "\(source.imageData) has shape \(shape), expected (frames, 2, 512, 128) or (frames, 512, 128)")
        }
        guard image.elementTypeName == UInt16.hdf5TypeName else {
            throw CalibrationError.badInput(path: path, reason: "\(source.imageData) is \(image.elementTypeName), expected uint16")
        }
        return shape
    }

    // MARK: Helpers

    static func open(_ path: String) throws -> File {
        do {
            return try File.open(path)
        } catch {
            throw CalibrationError.badInput(path: path, reason: "not a readable HDF5 file (truncated?): \(error)")
        }
    }

    static func requireSource(_ root: Group, _ source: XFELSource, path: String) throws {
        guard root.exists(source.instrumentGroup) else {
            let present = (try? root.group("INSTRUMENT/\(source.detectorString)/DET").children())
                ?? (try? root.group("INSTRUMENT").children()) ?? []
            throw CalibrationError.badInput(path: path, reason:
                "no source \(source.instrumentGroup) (wrong detector string or channel?); found: "
                    + (present.isEmpty ? "nothing" : present.joined(separator: ", ")))
        }
    }

    /// A 1-D dataset (or (n, 1)) read as UInt64.
    private static func vector(_ root: Group, _ name: String, _ path: String) throws -> [UInt64] {
        let dataset = try root.dataset(name, chunkCacheBytes: DatasetOptions.smallChunkCacheBytes)
        let shape = dataset.shape
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw CalibrationError.badInput(path: path, reason: "\(name) has shape \(shape), expected one value per train")
        }
        return try dataset.read(UInt64.self)
    }

    /// The first `trains` entries of a per-train INDEX array; the rest is padding.
    private static func trainRowsOf(_ values: [UInt64], name: String, trains: Int, _ path: String) throws -> [UInt64] {
        guard values.count >= trains else {
            throw CalibrationError.badInput(path: path, reason:
                "\(name) has \(values.count) entries but \(XFELSource.indexTrainId) lists \(trains) trains "
                    + "(its entries up to the last non-zero one)")
        }
        return Array(values[..<trains])
    }

    /// Turns a missing dataset into an error naming file and dataset; passes others through.
    static func mapping<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HDF5Error {
            if case let .notFound(_, object) = error {
                throw CalibrationError.badInput(path: path, reason: "dataset \(object) is missing")
            }
            throw CalibrationError.hdf5(error)
        }
    }
}
