// Datasets: numeric reads and writes of whole datasets or hyperslabs into caller-owned buffers,
// string reads, resizing, and attributes. Every selection and buffer is checked against the
// current shape before libhdf5 is called, so mistakes become errors naming the dataset.
internal import CHDF5

/// A dataset of any rank. Reads and writes go into caller-owned buffers; the memory dataspace
/// has the same rank as the file selection (a different rank is ~9× slower).
public final class Dataset: AttributeHolder {
    /// The file path (as opened).
    public let file: String
    /// The absolute path of this dataset in the file.
    public let name: String
    /// `uint16`, `float64`, `string`, … (see HDF5Scalar.hdf5TypeName).
    public let elementTypeName: String
    let elementClass: ElementClass
    let handle: Handle
    /// The file's handle: keeps the file open while this dataset lives.
    let owner: Handle
    let site: Site

    init(handle: Handle, owner: Handle, site: Site) throws {
        self.file = site.file
        self.name = site.object
        self.handle = handle
        self.owner = owner
        self.site = site
        (elementClass, elementTypeName) = try ElementType.describe(
            ElementStorage(kind: .dataset, handle: handle, site: site).datatype(), site)
    }

    var storage: ElementStorage { ElementStorage(kind: .dataset, handle: handle, site: site) }
    private var attributes: AttributeSet { AttributeSet(object: handle, owner: owner, site: site) }

    /// Current extent ([] for a scalar dataset, and for a closed file).
    public var shape: [Int] { (try? extent().shape) ?? [] }

    /// Maximum extent; nil entries are unlimited.
    public var maxShape: [Int?] { (try? extent().maxShape) ?? [] }

    /// Current and maximum extent (nil entries unlimited), throwing instead of returning [].
    public func extent() throws -> (shape: [Int], maxShape: [Int?]) {
        try owner.requireOpen(site)
        return try storage.dataspace().extent()
    }

    /// Reads the selection (whole dataset if nil) into `buffer`, which must hold exactly
    /// `selection.elementCount` elements. Converts between numeric types as libhdf5 does.
    /// - Throws: `typeMismatch` for a non-numeric dataset; `invalidArgument` for a selection
    ///   outside the shape; `shapeMismatch` for a buffer of the wrong size.
    public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>, selection: Hyperslab? = nil) throws {
        let memType = try numericType(T.self)
        guard let (memSpace, fileSpace) = try spaces(for: selection, bufferCount: buffer.count) else { return }
        try storage.read(memType: memType, memSpace: memSpace, fileSpace: fileSpace, into: buffer.baseAddress!)
    }

    /// Allocating convenience for small reads (not for hot paths).
    public func read<T: HDF5Scalar>(_ type: T.Type, selection: Hyperslab? = nil) throws -> [T] {
        let count = try selection?.elementCount ?? extent().shape.reduce(1, *)
        guard count >= 0 else { throw site.invalid("negative count in selection \(selection!.count)") }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: buffer, selection: selection)
            initialized = count
        }
    }

    /// Writes `buffer` into the selection (whole dataset if nil); same checks as `read(into:)`.
    public func write<T: HDF5Scalar>(from buffer: UnsafeBufferPointer<T>, selection: Hyperslab? = nil) throws {
        let memType = try numericType(T.self)
        guard let (memSpace, fileSpace) = try spaces(for: selection, bufferCount: buffer.count) else { return }
        try storage.write(memType: memType, memSpace: memSpace, fileSpace: fileSpace, from: buffer.baseAddress!)
    }

    public func write<T: HDF5Scalar>(_ values: [T], selection: Hyperslab? = nil) throws {
        try values.withUnsafeBufferPointer { try write(from: $0, selection: selection) }
    }

    /// Every element of a string dataset (variable or fixed length), flattened in storage order.
    /// - Throws: `typeMismatch` if the dataset is numeric.
    public func readStrings() throws -> [String] {
        try owner.requireOpen(site)
        guard elementClass == .string else { throw site.typeMismatch(expected: "string", found: elementTypeName) }
        return try storage.readStrings()
    }

    /// Changes the extent of a chunked dataset within its maxShape.
    /// - Throws: `shapeMismatch` for a different rank, `invalidArgument` beyond `maxShape`.
    public func resize(to shape: [Int]) throws {
        let (current, limits) = try extent()
        guard shape.count == current.count else { throw site.shapeMismatch(expected: current, found: shape) }
        for axis in shape.indices where shape[axis] < 0 || limits[axis].map({ shape[axis] > $0 }) == true {
            throw site.invalid("cannot resize to \(shape): maximum shape is \(limits.map { $0.map(String.init) ?? "unlimited" })")
        }
        let dims = shape.map { hsize_t($0) }
        try Library.call("resize to \(shape)", site) { H5Dset_extent(handle.id, dims) }
    }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws { try attributes.set(name, [value], scalar: true) }
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws { try attributes.set(name, values, scalar: false) }
    public func setAttribute(_ name: String, _ value: String) throws { try attributes.setString(name, value) }
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T { try attributes.scalar(name, as: T.self) }
    public func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] { try attributes.numbers(name, as: T.self).values }
    public func stringAttribute(_ name: String) throws -> String { try attributes.string(name) }
    public func hasAttribute(_ name: String) -> Bool { attributes.contains(name) }

    // MARK: - Internals

    /// The native type for `T`, after checking the file is open and the dataset is numeric.
    private func numericType<T: HDF5Scalar>(_ type: T.Type) throws -> hid_t {
        try owner.requireOpen(site)
        guard elementClass == .numeric else { throw site.typeMismatch(expected: T.hdf5TypeName, found: elementTypeName) }
        return try ElementType.native(T.self, site)
    }

    /// Validates `selection` and the buffer size against the current shape; returns the memory and
    /// file dataspaces (nil meaning "all"), or nil when there is nothing to transfer.
    private func spaces(for selection: Hyperslab?, bufferCount: Int) throws -> (Dataspace?, Dataspace?)? {
        let fileSpace = try storage.dataspace()
        let shape = try fileSpace.extent().shape
        let slab = selection ?? Hyperslab.all(shape)
        try slab.validate(against: shape, site)
        guard bufferCount == slab.elementCount else {
            throw site.shapeMismatch(expected: slab.count, found: [bufferCount])
        }
        guard slab.elementCount > 0 else { return nil }
        if shape.isEmpty || slab.count == shape { return (nil, nil) }
        try fileSpace.select(slab)
        return (try Dataspace.create(slab.count, site), fileSpace)
    }
}
