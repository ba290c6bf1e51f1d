import AGIPD
import HDF5

/// What preprocess needs from one raw sequence file: its per-train INDEX rows, the number of
/// frames and the largest cellId. Reading validates shapes and names the file and dataset
/// in every error.
struct PreprocessSequenceIndex {
    let path: String
    let fileName: String
    let sequence: Int
    /// Train id of every INDEX row, padding included (2017: `header/trainId`).
    let trainIds: [UInt64]
    /// First frame of every row.
    let firsts: [UInt64]
    /// Frames of every row (2017: `last − first + 1` where `status ≠ 0`, else 0).
    let counts: [UInt64]
    /// First dimension of `image/data`.
    let frames: Int
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
        let root = file.root
        try requireSource(root, source, path: path)
        return try mapping(path) {
            let trainIds: [UInt64], firsts: [UInt64], counts: [UInt64]
            switch layout {
            case .y2018:
                trainIds = try vector(root, XFELSource.indexTrainId, path)
                firsts = try vector(root, source.indexFirst, path)
                counts = try vector(root, source.indexCount, path)
                try requireLength(firsts, of: source.indexFirst, matching: trainIds, XFELSource.indexTrainId, path)
                try requireLength(counts, of: source.indexCount, matching: trainIds, XFELSource.indexTrainId, path)
            case .y2017:
                trainIds = try vector(root, source.headerTrainId, path)
                firsts = try vector(root, source.indexFirst, path)
                let lasts = try vector(root, source.indexLast, path)
                let status = try vector(root, source.indexStatus, path)
                try requireLength(firsts, of: source.indexFirst, matching: trainIds, source.headerTrainId, path)
                try requireLength(lasts, of: source.indexLast, matching: trainIds, source.headerTrainId, path)
                try requireLength(status, of: source.indexStatus, matching: trainIds, source.headerTrainId, path)
                var derived = [UInt64](repeating: 0, count: trainIds.count)
                for i in derived.indices where status[i] != 0 {
                    guard lasts[i] >= firsts[i] else {
                        throw CalibrationError.badInput(path: path, reason:
                            "\(source.indexLast)[\(i)] = \(lasts[i]) is before \(source.indexFirst)[\(i)] = \(firsts[i])")
                    }
                    derived[i] = lasts[i] - firsts[i] + 1
                }
                counts = derived
            }

            let dataShape = try root.dataset(source.imageData).shape
            guard dataShape.count == 4, Array(dataShape[1...]) == [2, 512, 128] else {
                throw CalibrationError.badInput(path: path, reason:
                    "\(source.imageData) has shape \(dataShape), expected (frames, 2, 512, 128)")
            }
            let frames = dataShape[0]
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
                counts: counts, frames: frames, maxCellId: maxCell,
                headerTrainIds: try optional(source.headerTrainId),
                trailerTrainIds: try optional(source.trailerTrainId),
                detectorTrainIds: try optional(source.detectorTrainId))
        }
    }

    // MARK: Helpers

    private static func open(_ path: String) throws -> File {
        do {
            return try File.open(path)
        } catch {
            throw CalibrationError.badInput(path: path, reason: "not a readable HDF5 file (truncated?): \(error)")
        }
    }

    private static func requireSource(_ root: Group, _ source: XFELSource, path: String) throws {
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
        let dataset = try root.dataset(name)
        let shape = dataset.shape
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw CalibrationError.badInput(path: path, reason: "\(name) has shape \(shape), expected one value per train")
        }
        return try dataset.read(UInt64.self)
    }

    private static func requireLength(_ values: [UInt64], of name: String, matching reference: [UInt64],
                                      _ referenceName: String, _ path: String) throws {
        guard values.count == reference.count else {
            throw CalibrationError.badInput(path: path, reason:
                "\(name) has \(values.count) entries but \(referenceName) has \(reference.count)")
        }
    }

    /// Turns a missing dataset into an error naming file and dataset; passes others through.
    private static func mapping<T>(_ path: String, _ body: () throws -> T) throws -> T {
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
