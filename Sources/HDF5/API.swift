// API SKELETON — signatures agreed between layers. The HDF5 helper replaces the bodies (and
// splits this file per type); signatures may only grow, not change, without telling the others.

/// Every libhdf5 failure, carrying the file, the object path and libhdf5's own messages.
public enum HDF5Error: Error, CustomStringConvertible, Equatable {
    /// A libhdf5 call failed: `operation` is what CalFarm tried, `messages` HDF5's error stack.
    case call(operation: String, file: String, object: String, messages: [String])
    case notFound(file: String, object: String)
    case typeMismatch(file: String, object: String, expected: String, found: String)
    case shapeMismatch(file: String, object: String, expected: [Int], found: [Int])
    case invalidArgument(file: String, object: String, reason: String)

    public var description: String { "HDF5 error (skeleton)" }
}

/// Element types CalFarm reads and writes (native byte order).
public protocol HDF5Scalar: Sendable {
    /// `uint16`, `float64`, …: names used in error messages and `Dataset.elementTypeName`.
    static var hdf5TypeName: String { get }
}
extension UInt8: HDF5Scalar { public static var hdf5TypeName: String { "uint8" } }
extension UInt16: HDF5Scalar { public static var hdf5TypeName: String { "uint16" } }
extension Int16: HDF5Scalar { public static var hdf5TypeName: String { "int16" } }
extension UInt32: HDF5Scalar { public static var hdf5TypeName: String { "uint32" } }
extension Int32: HDF5Scalar { public static var hdf5TypeName: String { "int32" } }
extension Int64: HDF5Scalar { public static var hdf5TypeName: String { "int64" } }
extension UInt64: HDF5Scalar { public static var hdf5TypeName: String { "uint64" } }
extension Float: HDF5Scalar { public static var hdf5TypeName: String { "float32" } }
extension Double: HDF5Scalar { public static var hdf5TypeName: String { "float64" } }

/// A rectangular selection: `start` and `count` per dimension (stride 1).
public struct Hyperslab: Sendable, Equatable {
    public var start: [Int]
    public var count: [Int]
    public init(start: [Int], count: [Int]) { self.start = start; self.count = count }
    public var elementCount: Int { count.reduce(1, *) }
}

/// How a dataset is created.
public struct DatasetOptions: Sendable {
    /// Chunk shape; nil = contiguous (required for `maxShape` or compression).
    public var chunks: [Int]?
    /// gzip level 1…9, or nil for none.
    public var deflate: Int?
    public var shuffle: Bool
    /// Maximum shape per dimension; nil entries are unlimited. nil = fixed at creation shape.
    public var maxShape: [Int?]?
    /// Chunk cache for this dataset (HDF5 1.10's default of 1 MiB makes compressed access 10–20× slower).
    public var chunkCacheBytes: Int
    public init(chunks: [Int]? = nil, deflate: Int? = nil, shuffle: Bool = false, maxShape: [Int?]? = nil,
                chunkCacheBytes: Int = 64 << 20) {
        self.chunks = chunks; self.deflate = deflate; self.shuffle = shuffle
        self.maxShape = maxShape; self.chunkCacheBytes = chunkCacheBytes
    }
}

/// Objects that carry attributes (groups, datasets).
public protocol AttributeHolder {
    func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws
    func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws
    func setAttribute(_ name: String, _ value: String) throws
    func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T
    func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T]
    func stringAttribute(_ name: String) throws -> String
    func hasAttribute(_ name: String) -> Bool
}

/// An open HDF5 file. Not Sendable: use it from one task.
public final class File {
    public enum Mode: Sendable { case readOnly, readWrite }
    public let path: String
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> File { fatalError() }
    /// Creates (truncating) a file.
    public static func create(_ path: String) throws -> File { fatalError() }
    /// The root group `/`.
    public var root: Group { fatalError() }
    /// Flushes and closes; errors surface here (deinit closes silently otherwise).
    public func close() throws { fatalError() }
    init(path: String) { self.path = path }
}

/// A group; paths are relative to it and may contain `/`.
public final class Group: AttributeHolder {
    public let file: String
    public let name: String
    init(file: String, name: String) { self.file = file; self.name = name }
    public func group(_ path: String) throws -> Group { fatalError() }
    /// Creates the group and any missing intermediate groups.
    public func createGroup(_ path: String) throws -> Group { fatalError() }
    public func exists(_ path: String) -> Bool { fatalError() }
    /// Names of direct children, sorted.
    public func children() throws -> [String] { fatalError() }
    public func dataset(_ path: String, chunkCacheBytes: Int = 64 << 20) throws -> Dataset { fatalError() }
    /// Creates a dataset (intermediate groups created). Scalar datasets have shape [].
    public func createDataset<T: HDF5Scalar>(_ path: String, of type: T.Type, shape: [Int],
                                             options: DatasetOptions = DatasetOptions()) throws -> Dataset { fatalError() }
    /// Creates and writes a dataset in one call.
    @discardableResult
    public func write<T: HDF5Scalar>(_ path: String, _ values: [T], shape: [Int],
                                     options: DatasetOptions = DatasetOptions()) throws -> Dataset { fatalError() }
    /// Scalar variable-length UTF-8 string dataset (what h5py writes for `f[k] = "text"`).
    public func writeString(_ path: String, _ value: String) throws { fatalError() }
    /// 1-D variable-length UTF-8 string dataset.
    public func writeStrings(_ path: String, _ values: [String]) throws { fatalError() }
    /// Reads a scalar string dataset (variable or fixed length).
    public func readString(_ path: String) throws -> String { fatalError() }
    /// Reads a 1-D string dataset (variable or fixed length).
    public func readStrings(_ path: String) throws -> [String] { fatalError() }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws { fatalError() }
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws { fatalError() }
    public func setAttribute(_ name: String, _ value: String) throws { fatalError() }
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T { fatalError() }
    public func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] { fatalError() }
    public func stringAttribute(_ name: String) throws -> String { fatalError() }
    public func hasAttribute(_ name: String) -> Bool { fatalError() }
}

/// A dataset of any rank. Reads and writes go into caller-owned buffers; the memory dataspace
/// has the same rank as the file selection (a different rank is ~9× slower).
public final class Dataset: AttributeHolder {
    public let file: String
    public let name: String
    init(file: String, name: String) { self.file = file; self.name = name }
    /// Current extent.
    public var shape: [Int] { fatalError() }
    /// `uint16`, `float64`, `string`, … (see HDF5Scalar.hdf5TypeName).
    public var elementTypeName: String { fatalError() }
    /// Reads the selection (whole dataset if nil) into `buffer`, which must hold exactly
    /// `selection.elementCount` elements. Converts between numeric types as libhdf5 does.
    public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>, selection: Hyperslab? = nil) throws { fatalError() }
    /// Allocating convenience for small reads (not for hot paths).
    public func read<T: HDF5Scalar>(_ type: T.Type, selection: Hyperslab? = nil) throws -> [T] { fatalError() }
    public func write<T: HDF5Scalar>(from buffer: UnsafeBufferPointer<T>, selection: Hyperslab? = nil) throws { fatalError() }
    public func write<T: HDF5Scalar>(_ values: [T], selection: Hyperslab? = nil) throws { fatalError() }
    /// Changes the extent of a chunked dataset within its maxShape.
    public func resize(to shape: [Int]) throws { fatalError() }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws { fatalError() }
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws { fatalError() }
    public func setAttribute(_ name: String, _ value: String) throws { fatalError() }
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T { fatalError() }
    public func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] { fatalError() }
    public func stringAttribute(_ name: String) throws -> String { fatalError() }
    public func hasAttribute(_ name: String) -> Bool { fatalError() }
}
