import HDF5

/// Streams a gathered file (format in `GatheredSequenceHeader`) block of slots by block of
/// slots. Create at a temporary path; the caller renames it into place after `close()`.
public final class GatheredSequenceWriter {
    public let path: String
    public let header: GatheredSequenceHeader
    private let file: File
    private let analog: Dataset
    private let digital: Dataset
    private let present: Dataset
    private let trainId: Dataset

    public init(path: String, header: GatheredSequenceHeader) throws {
        self.path = path
        self.header = header
        file = try File.create(path)
        let root = file.root
        try header.write(to: root)
        analog = try root.createDataset(GatheredSequenceHeader.analogName, of: UInt16.self, shape: header.imageShape)
        digital = try root.createDataset(GatheredSequenceHeader.digitalName, of: UInt16.self, shape: header.imageShape)
        present = try root.createDataset(GatheredSequenceHeader.presentName, of: UInt8.self,
                                         shape: [header.slots, header.cells])
        trainId = try root.createDataset(GatheredSequenceHeader.trainIdName, of: UInt64.self, shape: [header.slots])
    }

    /// Writes `slots` slots starting at file row `slotOffset` (0 = `header.slotStart`).
    /// - Parameters:
    ///   - analog, digital: (16, slots, cells, 64, 64), laid out for exactly this block's `slots`.
    ///   - present: (slots, cells); trainIds: (slots,).
    public func write(slotOffset: Int, slots: Int, analog analogBlock: UnsafeBufferPointer<UInt16>,
                      digital digitalBlock: UnsafeBufferPointer<UInt16>, present presentBlock: UnsafeBufferPointer<UInt8>,
                      trainIds: UnsafeBufferPointer<UInt64>) throws {
        guard slots > 0 else { return }
        let size = ModuleGeometry.asicSize
        let image = Hyperslab(start: [0, slotOffset, 0, 0, 0],
                              count: [ModuleGeometry.asicCount, slots, header.cells, size, size])
        try analog.write(from: UnsafeBufferPointer(rebasing: analogBlock[0..<image.elementCount]), selection: image)
        try digital.write(from: UnsafeBufferPointer(rebasing: digitalBlock[0..<image.elementCount]), selection: image)
        let mask = Hyperslab(start: [slotOffset, 0], count: [slots, header.cells])
        try present.write(from: UnsafeBufferPointer(rebasing: presentBlock[0..<mask.elementCount]), selection: mask)
        try trainId.write(from: UnsafeBufferPointer(rebasing: trainIds[0..<slots]),
                          selection: Hyperslab(start: [slotOffset], count: [slots]))
    }

    /// Flushes and closes the file; errors surface here.
    public func close() throws { try file.close() }
}
