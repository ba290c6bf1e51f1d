import HDF5

/// Reads a gathered file (format in `GatheredSequenceHeader`), checking its attributes and the
/// shapes and types of its datasets on open so later reads cannot go out of bounds.
public final class GatheredSequenceReader {
    public let path: String
    public let header: GatheredSequenceHeader
    private let file: File
    private let analog: Dataset
    private let digital: Dataset

    /// - Throws: `HDF5Error` naming the file and object when the file is unreadable, an attribute
    ///   is missing, or a dataset has the wrong shape or type.
    public init(path: String) throws {
        self.path = path
        file = try File.open(path)
        let root = file.root
        header = try GatheredSequenceHeader.read(from: root, path: path)
        analog = try Self.checked(root, GatheredSequenceHeader.analogName, UInt16.self, header.imageShape, path)
        digital = try Self.checked(root, GatheredSequenceHeader.digitalName, UInt16.self, header.imageShape, path)
        _ = try Self.checked(root, GatheredSequenceHeader.presentName, UInt8.self, [header.slots, header.cells], path)
        _ = try Self.checked(root, GatheredSequenceHeader.trainIdName, UInt64.self, [header.slots], path)
    }

    private static func checked<T: HDF5Scalar>(_ root: Group, _ name: String, _ type: T.Type, _ shape: [Int],
                                               _ path: String) throws -> Dataset {
        let dataset = try root.dataset(name)
        guard dataset.shape == shape else {
            throw HDF5Error.shapeMismatch(file: path, object: name, expected: shape, found: dataset.shape)
        }
        guard dataset.elementTypeName == T.hdf5TypeName else {
            throw HDF5Error.typeMismatch(file: path, object: name, expected: T.hdf5TypeName, found: dataset.elementTypeName)
        }
        return dataset
    }

    /// The presence mask (slots, cells), flat.
    public func readPresent() throws -> [UInt8] {
        try file.root.dataset(GatheredSequenceHeader.presentName).read(UInt8.self)
    }

    /// Train id per slot (0 = no train in this file).
    public func readTrainIds() throws -> [UInt64] {
        try file.root.dataset(GatheredSequenceHeader.trainIdName).read(UInt64.self)
    }

    /// Reads one ASIC over `slots` slots from file row `slotOffset` into (slots, cells, 64, 64)
    /// buffers holding at least that many elements. One contiguous range per dataset.
    public func read(asic: ASIC, slotOffset: Int, slots: Int, analog analogBlock: UnsafeMutableBufferPointer<UInt16>,
                     digital digitalBlock: UnsafeMutableBufferPointer<UInt16>) throws {
        let size = ModuleGeometry.asicSize
        let selection = Hyperslab(start: [asic.number - 1, slotOffset, 0, 0, 0], count: [1, slots, header.cells, size, size])
        let n = selection.elementCount
        try analog.read(into: UnsafeMutableBufferPointer(rebasing: analogBlock[0..<n]), selection: selection)
        try digital.read(into: UnsafeMutableBufferPointer(rebasing: digitalBlock[0..<n]), selection: selection)
    }

    public func close() throws { try file.close() }
}
