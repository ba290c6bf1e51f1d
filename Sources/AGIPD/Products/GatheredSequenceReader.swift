import HDF5

/// Reads a gathered file (format in `GatheredSequenceHeader`), checking its attributes and the
/// shapes and types of its datasets on open so later reads cannot go out of bounds.
public final class GatheredSequenceReader {
    public let path: String
    public let header: GatheredSequenceHeader
    private let file: File
    private let analog: Dataset
    private let digital: Dataset
    /// Where analog and digital lie in the file when both can be mapped (the writer's contiguous
    /// layout); nil falls back to reading.
    private let mappable: (analog: ContiguousStorage, digital: ContiguousStorage)?

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
        if let a = try analog.contiguousStorage(of: UInt16.self), let d = try digital.contiguousStorage(of: UInt16.self) {
            mappable = (a, d)
        } else {
            mappable = nil
        }
    }

    /// True when `withBlock` maps the file instead of reading into the scratch buffers.
    public var isMappable: Bool { mappable != nil }

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

    /// Calls `body` with one ASIC's (slots, cells, 64, 64) analog and digital elements over
    /// `slots` slots from file row `slotOffset`: mapped read-only from the file (no copy) when
    /// the datasets are contiguous and `map` is true, otherwise read into the scratch buffers.
    /// The pointers are valid only inside `body`.
    public func withBlock<R>(asic: ASIC, slotOffset: Int, slots: Int, map: Bool = true,
                             scratchAnalog: UnsafeMutableBufferPointer<UInt16>, scratchDigital: UnsafeMutableBufferPointer<UInt16>,
                             _ body: (UnsafeBufferPointer<UInt16>, UnsafeBufferPointer<UInt16>) throws -> R) throws -> R {
        guard map, let mappable else {
            try read(asic: asic, slotOffset: slotOffset, slots: slots, analog: scratchAnalog, digital: scratchDigital)
            let n = slots * header.cells * ModuleGeometry.asicPixels
            return try body(UnsafeBufferPointer(rebasing: scratchAnalog[0..<n]), UnsafeBufferPointer(rebasing: scratchDigital[0..<n]))
        }
        guard asic.number >= 1, asic.number <= ModuleGeometry.asicCount, slotOffset >= 0, slots >= 0,
              slotOffset + slots <= header.slots else {
            throw HDF5Error.invalidArgument(file: path, object: GatheredSequenceHeader.analogName,
                                            reason: "slots \(slotOffset)..<\(slotOffset + slots) of ASIC \(asic.number) are outside \(header.slots) slots")
        }
        let range = elementRange(asic: asic, slotOffset: slotOffset, slots: slots)
        let analogMap = try mappable.analog.map(UInt16.self, elements: range)
        let digitalMap = try mappable.digital.map(UInt16.self, elements: range)
        return try withExtendedLifetime((analogMap, digitalMap)) { try body(analogMap.buffer, digitalMap.buffer) }
    }

    /// Hints that one ASIC's slots `slotOffset..<slotOffset + slots` will be read next (see
    /// `ContiguousStorage.prefetch`); does nothing for files that cannot be mapped.
    public func prefetch(asic: ASIC, slotOffset: Int, slots: Int) {
        guard let mappable else { return }
        let range = elementRange(asic: asic, slotOffset: slotOffset, slots: slots)
        mappable.analog.prefetch(elements: range)
        mappable.digital.prefetch(elements: range)
    }

    private func elementRange(asic: ASIC, slotOffset: Int, slots: Int) -> Range<Int> {
        let frame = header.cells * ModuleGeometry.asicPixels
        let first = ((asic.number - 1) * header.slots + slotOffset) * frame
        return first..<(first + slots * frame)
    }

    public func close() throws { try file.close() }
}
