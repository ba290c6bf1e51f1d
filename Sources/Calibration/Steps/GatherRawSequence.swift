import AGIPD
import HDF5

/// One raw XFEL sequence file opened for gather: the image dataset checked against the expected
/// (frames, 2, 512, 128) shape and the per-frame cell ids loaded (small: 2 bytes per frame).
final class GatherRawSequence {
    let path: String
    private let file: File
    private let image: Dataset
    /// Frames in `image/data`.
    let frames: Int
    /// Planes in the file: 2 (analog, digital), or 1 for rank-3 interleaved data.
    let filePlanes: Int
    let cellIds: [UInt16]
    /// Where `image/data` lies in the file when it can be mapped (contiguous, unfiltered);
    /// nil reads through HDF5 (chunked files).
    private let storage: ContiguousStorage?

    static let frameElements = ModuleGeometry.pixels

    init(path: String, source: XFELSource) throws {
        self.path = path
        file = try File.open(path)
        let root = file.root
        image = try root.dataset(source.imageData, chunkCacheBytes: 16 << 20)
        let shape = image.shape
        let xfelFrame = [ModuleGeometry.columns, ModuleGeometry.rows]
        if shape.count == 4, shape[1] == 2, Array(shape[2...]) == xfelFrame {
            filePlanes = 2
        } else if shape.count == 3, Array(shape[1...]) == xfelFrame {
            filePlanes = 1
        } else {
            throw CalibrationError.badInput(path: path, reason: "\(source.imageData) has shape \(shape), expected (frames, 2, 512, 128)")
        }
        guard image.elementTypeName == UInt16.hdf5TypeName else {
            throw CalibrationError.badInput(path: path, reason: "\(source.imageData) is \(image.elementTypeName), expected uint16")
        }
        frames = shape[0]
        let cellSet = try root.dataset(source.cellId)
        let cellShape = cellSet.shape
        guard cellShape == [frames, 1] || cellShape == [frames] else {
            throw CalibrationError.badInput(path: path, reason: "\(source.cellId) has shape \(cellShape), expected (\(frames), 1) like image/data")
        }
        cellIds = try cellSet.read(UInt16.self)
        storage = try image.contiguousStorage(of: UInt16.self)
    }

    /// Calls `body` with frames [first, first + count) and the element distance between frames:
    /// mapped from the file (no copy) when `image/data` is contiguous, else read into `scratch`
    /// (planes [0, planes) of each frame). Plane p of frame i is at `i * stride + p * 65536`.
    func withFrames<R>(first: Int, count: Int, planes: Int, scratch: UnsafeMutablePointer<UInt16>,
                       _ body: (UnsafePointer<UInt16>, Int) throws -> R) throws -> R {
        guard let storage else {
            try readFrames(first: first, count: count, planes: planes, into: scratch)
            return try body(scratch, planes * Self.frameElements)
        }
        let stride = filePlanes * Self.frameElements
        let mapped = try storage.map(UInt16.self, elements: (first * stride)..<((first + count) * stride))
        return try withExtendedLifetime(mapped) { try body(mapped.buffer.baseAddress!, stride) }
    }

    /// Starts reading frames [first, first + count) into the page cache in the background (a
    /// hint for files not yet cached; nothing for chunked files).
    func prefetch(first: Int, count: Int) {
        let stride = filePlanes * Self.frameElements
        storage?.prefetch(elements: (first * stride)..<((first + count) * stride))
    }

    /// Reads frames [first, first + count), planes [0, planes), into `buffer` laid out
    /// (count, planes, 512, 128).
    func readFrames(first: Int, count: Int, planes: Int, into buffer: UnsafeMutablePointer<UInt16>) throws {
        let selection = filePlanes == 2
            ? Hyperslab(start: [first, 0, 0, 0], count: [count, planes, ModuleGeometry.columns, ModuleGeometry.rows])
            : Hyperslab(start: [first, 0, 0], count: [count, ModuleGeometry.columns, ModuleGeometry.rows])
        try image.read(into: UnsafeMutableBufferPointer(start: buffer, count: selection.elementCount), selection: selection)
    }

    func close() throws { try file.close() }
}
