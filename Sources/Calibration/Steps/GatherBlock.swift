import AGIPD

/// The reused buffers of one gather job and the per-block work: raw frames of a block of slots
/// in, (16, slots, cells, 64, 64) analog/digital plus presence out. Allocated once per job
/// (fresh memory is expensive here) and sized for `capacity` slots.
final class GatherBlock {
    let cells: Int
    let capacity: Int
    /// Frames one train may hold: cells, or 2 × cells when analog and digital are interleaved.
    let framesPerTrain: Int
    let interleaved: Bool
    /// Planes read per frame: 2 (analog, digital) or 1 (interleaved: plane 0 only is valid).
    let readPlanes: Int
    let wing: Wing

    let raw: UnsafeMutableBufferPointer<UInt16>
    let analog: UnsafeMutableBufferPointer<UInt16>
    let digital: UnsafeMutableBufferPointer<UInt16>
    let present: UnsafeMutableBufferPointer<UInt8>
    let trainIds: UnsafeMutableBufferPointer<UInt64>

    /// Slots in the current block (≤ capacity); the analog/digital layout uses this count.
    private(set) var slots = 0
    /// Frames written twice into one (slot, cell) in this job.
    private(set) var duplicateFrames = 0
    /// Interleaved (slot, cell) pairs with only one of analog/digital, treated as absent.
    private(set) var halfFrames = 0

    static let pixels = ModuleGeometry.asicPixels
    static let asics = ModuleGeometry.asicCount

    init(cells: Int, capacity: Int, interleaved: Bool, wing: Wing) {
        self.cells = cells
        self.capacity = capacity
        self.interleaved = interleaved
        self.framesPerTrain = interleaved ? 2 * cells : cells
        self.readPlanes = interleaved ? 1 : 2
        self.wing = wing
        raw = .allocate(capacity: capacity * framesPerTrain * readPlanes * ModuleGeometry.pixels)
        analog = .allocate(capacity: Self.asics * capacity * cells * Self.pixels)
        digital = .allocate(capacity: Self.asics * capacity * cells * Self.pixels)
        present = .allocate(capacity: capacity * cells)
        trainIds = .allocate(capacity: capacity)
    }

    deinit {
        raw.deallocate(); analog.deallocate(); digital.deallocate(); present.deallocate(); trainIds.deallocate()
    }

    /// Starts a block of `slots` slots: nothing present, no train ids.
    func begin(slots: Int) {
        precondition(slots <= capacity)
        self.slots = slots
        UnsafeMutableBufferPointer(rebasing: present[0..<(slots * cells)]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: trainIds[0..<slots]).update(repeating: 0)
    }

    /// Element offset of (asic index, slot, cell) in `analog`/`digital` for the current block.
    @inline(__always)
    func imageOffset(asic: Int, slot: Int, cell: Int) -> Int {
        ((asic * slots + slot) * cells + cell) * Self.pixels
    }

    /// Places one frame (its analog plane at `source`, digital plane 65536 elements later
    /// unless interleaved) at (slot, cellId).
    /// - Returns: false if the cell id is beyond the run's cells (the caller reports the file).
    func place(_ source: UnsafePointer<UInt16>, slot: Int, cellId: Int) -> Bool {
        let frameElements = ModuleGeometry.pixels
        let cell = interleaved ? cellId / 2 : cellId
        guard cell < cells else { return false }
        let mask = slot * cells + cell
        if interleaved {
            // Frame 2c is the analog value of cell c, frame 2c + 1 its digital value (§6.2.1).
            let plane = cellId % 2
            let bit = UInt8(1 << plane)
            if present[mask] & bit != 0 { duplicateFrames += 1 }
            present[mask] |= bit
            split(source, into: plane == 0 ? analog : digital, slot: slot, cell: cell)
        } else {
            if present[mask] != 0 { duplicateFrames += 1 }
            present[mask] = 1
            split(source, into: analog, slot: slot, cell: cell)
            split(source + frameElements, into: digital, slot: slot, cell: cell)
        }
        return true
    }

    /// Places one CFEL sample at (slot, cell): its analog and its digital frame, each (128, 512)
    /// in AGIPD orientation already, cut into the 16 ASIC blocks.
    /// - Returns: false if a value has the sign bit set (negative int16: not AGIPD data).
    func placeAGIPD(analog: UnsafePointer<UInt16>, digital: UnsafePointer<UInt16>, slot: Int, cell: Int) -> Bool {
        present[slot * cells + cell] = 1
        cut(analog, into: self.analog, slot: slot, cell: cell)
        cut(digital, into: self.digital, slot: slot, cell: cell)
        return !Self.hasSignBit(analog) && !Self.hasSignBit(digital)
    }

    /// Copies the 16 ASIC windows of an AGIPD-oriented frame: 64 rows of 64 values each.
    @inline(__always)
    private func cut(_ frame: UnsafePointer<UInt16>, into image: UnsafeMutableBufferPointer<UInt16>, slot: Int, cell: Int) {
        for (index, asic) in ASIC.all.enumerated() {
            asic.cut(from: frame, into: image.baseAddress! + imageOffset(asic: index, slot: slot, cell: cell))
        }
    }

    /// Whether any of a frame's 65,536 values has bit 15 set, eight bytes at a time (unaligned:
    /// a mapped dataset need not start on an 8-byte boundary).
    @inline(__always)
    static func hasSignBit(_ frame: UnsafePointer<UInt16>) -> Bool {
        let raw = UnsafeRawPointer(frame)
        var bits: UInt64 = 0
        for i in 0..<(ModuleGeometry.pixels / 4) { bits |= raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self) }
        return bits & 0x8000_8000_8000_8000 != 0
    }

    /// Converts one XFEL-oriented frame plane into the 16 AGIPD-oriented ASIC blocks.
    @inline(__always)
    private func split(_ frame: UnsafePointer<UInt16>, into image: UnsafeMutableBufferPointer<UInt16>, slot: Int, cell: Int) {
        let base = image.baseAddress!
        for (index, asic) in ASIC.all.enumerated() {
            Orientation.asicBlockFromXFELFrame(frame, asic: asic, wing: wing,
                                               into: base + imageOffset(asic: index, slot: slot, cell: cell))
        }
    }

    /// Ends the block: the presence mask becomes 0/1 and every absent (slot, cell) is zeroed in
    /// all 16 ASICs, so stale data from an earlier block never reaches the file.
    func finish() {
        for mask in 0..<(slots * cells) {
            if interleaved {
                if present[mask] == 1 || present[mask] == 2 { halfFrames += 1 }
                present[mask] = present[mask] == 3 ? 1 : 0
            }
            guard present[mask] == 0 else { continue }
            let slot = mask / cells, cell = mask % cells
            for asic in 0..<Self.asics {
                let offset = imageOffset(asic: asic, slot: slot, cell: cell)
                (analog.baseAddress! + offset).update(repeating: 0, count: Self.pixels)
                (digital.baseAddress! + offset).update(repeating: 0, count: Self.pixels)
            }
        }
    }
}
