import AGIPD
import Dispatch

/// Unit-bin histograms of the analog values of one ASIC for a batch of memory cells: the
/// sufficient statistic of the two-peak likelihood for integer data, bounded by `bins` per
/// pixel and cell whatever the number of trains.
///
/// A pixel and cell's bins start `bins / 4` below the smallest of its first ``leadValues``
/// values (in run, then train order): that minimum lies about 2σ below the 0-photon peak, so
/// the bins hold its lower tail and, above, a spacing plus both tails of up to 3/4 · bins
/// (Mo at 9 ADU/keV and σ 18 needs ~290 of 384). Values outside (two photons, far outliers)
/// are counted in `outside` and left out of the fit. Until a pixel has its lead values they
/// wait in a small staging row. Memory: cells × 4096 × (bins × 4 + 40) bytes (512 bins: 8 MiB
/// per cell).
public final class XrayHistograms: @unchecked Sendable {  // threads write disjoint cells
    public let bins: Int
    public let capacityCells: Int
    public private(set) var firstCell = 0
    public private(set) var cellCount = 0
    /// (cell, pixel, bin) counts of the batch.
    let counts: UnsafeMutableBufferPointer<UInt32>
    /// (cell, pixel): the value of bin 0; Int32.min until the first value arrives.
    let origin: UnsafeMutableBufferPointer<Int32>
    let outside: UnsafeMutableBufferPointer<UInt32>
    /// (cell, pixel): values staged until the origin is set, and how many.
    let staged: UnsafeMutableBufferPointer<UInt16>
    let stagedCount: UnsafeMutableBufferPointer<UInt8>
    let threads: Int

    /// How many first values set a pixel's origin.
    public static let leadValues = 16

    public static let unset = Int32.min

    public init(bins: Int, capacityCells: Int, threads: Int = 1) {
        self.bins = bins
        self.capacityCells = capacityCells
        self.threads = max(1, threads)
        let planes = capacityCells * ModuleGeometry.asicPixels
        counts = .allocate(capacity: planes * bins)
        origin = .allocate(capacity: planes)
        outside = .allocate(capacity: planes)
        staged = .allocate(capacity: planes * Self.leadValues)
        stagedCount = .allocate(capacity: planes)
    }

    deinit { counts.deallocate(); origin.deallocate(); outside.deallocate(); staged.deallocate(); stagedCount.deallocate() }

    /// Starts a batch of `count` cells from `first` (count ≤ capacityCells).
    public func reset(firstCell first: Int, count: Int) {
        precondition(count <= capacityCells)
        firstCell = first
        cellCount = count
        let planes = count * ModuleGeometry.asicPixels
        UnsafeMutableBufferPointer(rebasing: counts[0..<(planes * bins)]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: origin[0..<planes]).update(repeating: Self.unset)
        UnsafeMutableBufferPointer(rebasing: outside[0..<planes]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: stagedCount[0..<planes]).update(repeating: 0)
    }

    /// Sets the origin of every pixel that has fewer than ``leadValues`` values from those it
    /// has and bins them; call once after the batch's last block.
    public func finish() {
        for plane in 0..<(cellCount * ModuleGeometry.asicPixels) where origin[plane] == Self.unset && stagedCount[plane] > 0 {
            release(plane)
        }
    }

    /// Sets `plane`'s origin from its staged values and bins them.
    private func release(_ plane: Int) {
        let values = staged.baseAddress! + plane * Self.leadValues
        let count = Int(stagedCount[plane])
        var lowest = values[0]
        for i in 1..<max(count, 1) { lowest = min(lowest, values[i]) }
        let base = Int32(lowest) - Int32(bins / 4)
        origin[plane] = base
        let histogram = counts.baseAddress! + plane * bins
        for i in 0..<count {
            let index = Int(Int32(values[i]) - base)
            if index >= 0 && index < bins { histogram[index] &+= 1 } else { outside[plane] &+= 1 }
        }
    }

    /// Adds the batch's cells of one block: `analog` is (slots, cells, 64, 64) of all `cells`
    /// of the run, `present` its (slots, cells) mask.
    public func add(analog: UnsafeBufferPointer<UInt16>, present: ArraySlice<UInt8>, slots: Int, cells: Int) {
        let pixels = ModuleGeometry.asicPixels
        let presentBase = present.startIndex
        let parts = min(threads, cellCount)
        let work: (Int) -> Void = { part in
            var presentSlots: [Int] = []
            presentSlots.reserveCapacity(slots)
            for local in (part * self.cellCount / parts)..<((part + 1) * self.cellCount / parts) {
                let cell = self.firstCell + local
                presentSlots.removeAll(keepingCapacity: true)
                for slot in 0..<slots where present[presentBase + slot * cells + cell] != 0 {
                    presentSlots.append((slot * cells + cell) * pixels)
                }
                guard !presentSlots.isEmpty else { continue }
                presentSlots.withUnsafeBufferPointer { rows in
                    self.addCell(local: local, rows: rows, analog: analog)
                }
            }
        }
        Parallel.forEachPart(parts, work)
    }

    /// One cell: for each pixel, its values in the rows `rows` (element offsets of the slots
    /// present), into that pixel's histogram, which stays in L1 meanwhile.
    @inline(__always)
    private func addCell(local: Int, rows: UnsafeBufferPointer<Int>, analog: UnsafeBufferPointer<UInt16>) {
        let pixels = ModuleGeometry.asicPixels
        let bins = self.bins
        let lead = Self.leadValues
        for pixel in 0..<pixels {
            let plane = local * pixels + pixel
            let histogram = counts.baseAddress! + plane * bins
            var first = 0
            if origin[plane] == Self.unset {
                // Stage the pixel's first values; the origin follows from the lead values.
                let stage = staged.baseAddress! + plane * lead
                var count = Int(stagedCount[plane])
                while first < rows.count && count < lead {
                    stage[count] = analog[rows[first] + pixel]
                    count += 1; first += 1
                }
                stagedCount[plane] = UInt8(count)
                guard count == lead else { continue }
                release(plane)
            }
            let base = origin[plane]
            var missed: UInt32 = 0
            for row in rows[first...] {
                let index = Int(Int32(analog[row + pixel]) - base)
                if index >= 0 && index < bins {
                    histogram[index] &+= 1
                } else {
                    missed &+= 1
                }
            }
            outside[plane] &+= missed
        }
    }

    /// The histogram of local cell `local`, pixel `pixel`, and the value of its bin 0.
    public func histogram(local: Int, pixel: Int) -> (counts: UnsafeBufferPointer<UInt32>, origin: Int32, outside: UInt32) {
        let plane = local * ModuleGeometry.asicPixels + pixel
        return (UnsafeBufferPointer(rebasing: counts[(plane * bins)..<((plane + 1) * bins)]), origin[plane], outside[plane])
    }
}
