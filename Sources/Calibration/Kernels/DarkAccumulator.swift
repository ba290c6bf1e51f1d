import AGIPD
import Dispatch

/// Exact running sums for the dark statistics of one ASIC over one run (agipd-reference §6.3),
/// so a run of any length is processed in one streaming pass with bounded memory.
///
/// Sums are integers: Σa and Σd fit UInt64 for any realistic frame count, Σa² of 16-bit values
/// fits UInt64 up to 2³² frames, and the variance numerator `n·Σa² − (Σa)²` is formed exactly in
/// 128 bits. Presence is per frame (slot × cell), so the frame count is kept per cell.
///
/// Owns its buffers (allocated once, reused through `reset()`); not thread-safe itself, but
/// `add` and `finish` split the cells over `threads` threads (cells are independent).
public final class DarkAccumulator {
    public let cells: Int
    /// Threads `add` and `finish` use (the job's CPUs); each owns a contiguous range of cells.
    public let threads: Int
    static let pixels = ModuleGeometry.asicPixels

    private let sumAnalog: UnsafeMutableBufferPointer<UInt64>
    private let sumSquares: UnsafeMutableBufferPointer<UInt64>
    private let sumDigital: UnsafeMutableBufferPointer<UInt64>
    private let counts: UnsafeMutableBufferPointer<UInt32>

    /// - Parameters:
    ///   - cells: memory cells per frame; buffers hold `cells × 4096` sums each.
    ///   - threads: threads for `add` and `finish` (at most one per cell).
    public init(cells: Int, threads: Int = 1) {
        precondition(cells > 0, "cells must be positive")
        self.cells = cells
        self.threads = max(1, min(threads, cells))
        let n = cells * Self.pixels
        sumAnalog = .allocate(capacity: n)
        sumSquares = .allocate(capacity: n)
        sumDigital = .allocate(capacity: n)
        counts = .allocate(capacity: cells)
        reset()
    }

    deinit {
        sumAnalog.deallocate(); sumSquares.deallocate(); sumDigital.deallocate(); counts.deallocate()
        frameOffsets.deallocate()
    }

    /// Clears all sums for the next run.
    public func reset() {
        sumAnalog.update(repeating: 0); sumSquares.update(repeating: 0)
        sumDigital.update(repeating: 0); counts.update(repeating: 0)
    }

    /// Frames seen so far for `cell`.
    public func frameCount(cell: Int) -> UInt32 { counts[cell] }

    /// Adds a block of slots.
    /// - Parameters:
    ///   - analog: (slots, cells, 64, 64) ADC values.
    ///   - digital: (slots, cells, 64, 64) gain values.
    ///   - present: (slots, cells); only entries ≠ 0 are added.
    ///   - slots: number of slots in the block.
    /// - Complexity: O(present frames × 4096). Cell by cell, the frames of the block are summed
    ///   8 pixels at a time in registers and added to the 64-bit sums once per group of up to
    ///   `framesPerGroup` frames, instead of a read-modify-write of three 64-bit sums per pixel
    ///   and frame. With `threads` > 1 each thread takes a contiguous range of cells.
    public func add(analog: UnsafeBufferPointer<UInt16>, digital: UnsafeBufferPointer<UInt16>,
                    present: UnsafeBufferPointer<UInt8>, slots: Int) {
        let pixels = Self.pixels
        precondition(analog.count >= slots * cells * pixels && digital.count >= slots * cells * pixels
                     && present.count >= slots * cells, "block buffers smaller than slots × cells")
        reserveFrameOffsets(slots)
        let work = Work(analog: analog.baseAddress!, digital: digital.baseAddress!, present: present.baseAddress!,
                        slots: slots, offsets: frameOffsets.baseAddress!)
        let sums = self.sums
        forEachCellRange { part, cellRange in
            Self.add(work, into: sums, cells: cellRange, offsets: work.offsets + part * slots)
        }
    }

    /// One block's inputs, shared read-only by the threads of `add`.
    private struct Work: @unchecked Sendable {
        let analog: UnsafePointer<UInt16>, digital: UnsafePointer<UInt16>, present: UnsafePointer<UInt8>
        let slots: Int
        /// `threads × slots` scratch offsets: one row per thread.
        let offsets: UnsafeMutablePointer<Int>
    }

    /// The sums' storage, for the threads (each touches only its own cells' rows).
    private struct Sums: @unchecked Sendable {
        let analog: UnsafeMutablePointer<UInt64>, squares: UnsafeMutablePointer<UInt64>
        let digital: UnsafeMutablePointer<UInt64>, counts: UnsafeMutablePointer<UInt32>
        let cells: Int
    }

    private var sums: Sums {
        Sums(analog: sumAnalog.baseAddress!, squares: sumSquares.baseAddress!, digital: sumDigital.baseAddress!,
             counts: counts.baseAddress!, cells: cells)
    }

    /// Runs `body(part, cells)` for `threads` disjoint cell ranges, in parallel when threads > 1.
    private func forEachCellRange(_ body: @escaping @Sendable (Int, Range<Int>) -> Void) {
        let parts = threads, cells = cells
        if parts == 1 { return body(0, 0..<cells) }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(part, (part * cells / parts)..<((part + 1) * cells / parts))
        }
    }

    private static func add(_ work: Work, into sums: Sums, cells cellRange: Range<Int>, offsets frameOffsets: UnsafeMutablePointer<Int>) {
        let pixels = Self.pixels, slots = work.slots, cells = sums.cells
        let counts = sums.counts
        let a = work.analog, d = work.digital, present = work.present
        for cell in cellRange {
            var frames = 0
            for slot in 0..<slots where present[slot * cells + cell] != 0 {
                frameOffsets[frames] = (slot * cells + cell) * pixels
                frames += 1
            }
            guard frames > 0 else { continue }
            counts[cell] &+= UInt32(frames)
            var start = 0
            while start < frames {
                let end = min(frames, start + Self.framesPerGroup)
                Self.addFrames(analog: a, digital: d,
                               offsets: UnsafeBufferPointer(start: frameOffsets + start, count: end - start),
                               sumAnalog: sums.analog + cell * pixels, sumSquares: sums.squares + cell * pixels,
                               sumDigital: sums.digital + cell * pixels, pixels: pixels)
                start = end
            }
        }
    }

    /// Frames summed in registers before the 64-bit sums are updated. Each frame of the group is
    /// a sequential stream for analog and one for digital: 4 frames (8 streams) ran at the speed
    /// of `cat` over mapped files, 8 frames (16 streams, more than the prefetchers follow) at half
    /// of it (docs/performance.md). 32-bit lanes hold the partial sums exactly (4 × 65 535 < 2³²).
    static let framesPerGroup = 4

    /// Element offsets of one cell's present frames in the current block; grown, never shrunk.
    private var frameOffsets = UnsafeMutableBufferPointer<Int>.allocate(capacity: 0)

    private func reserveFrameOffsets(_ slots: Int) {
        guard frameOffsets.count < threads * slots else { return }
        frameOffsets.deallocate()
        frameOffsets = .allocate(capacity: threads * slots)
    }

    /// The inner loop: the frames at `offsets` (all of one cell) into that cell's sums.
    @inline(__always)
    static func addFrames(analog: UnsafePointer<UInt16>, digital: UnsafePointer<UInt16>, offsets: UnsafeBufferPointer<Int>,
                          sumAnalog: UnsafeMutablePointer<UInt64>, sumSquares: UnsafeMutablePointer<UInt64>,
                          sumDigital: UnsafeMutablePointer<UInt64>, pixels: Int) {
        typealias Lanes = SIMD8<UInt16>
        let width = Lanes.scalarCount
        var chunk = 0
        while chunk < pixels {
            var sa = SIMD8<UInt32>(), sd = SIMD8<UInt32>(), sq = SIMD8<UInt64>()
            for offset in offsets {
                let a = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(analog + offset + chunk).loadUnaligned(as: Lanes.self))
                let g = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(digital + offset + chunk).loadUnaligned(as: Lanes.self))
                sa &+= a
                sd &+= g
                sq &+= SIMD8<UInt64>(truncatingIfNeeded: a &* a)
            }
            // Vector read-modify-writes: lane by lane, the flush cost as much as the frames.
            Self.addLanes(SIMD8<UInt64>(truncatingIfNeeded: sa), to: sumAnalog + chunk)
            Self.addLanes(sq, to: sumSquares + chunk)
            Self.addLanes(SIMD8<UInt64>(truncatingIfNeeded: sd), to: sumDigital + chunk)
            chunk += width
        }
    }

    @inline(__always)
    static func addLanes(_ lanes: SIMD8<UInt64>, to sums: UnsafeMutablePointer<UInt64>) {
        let raw = UnsafeMutableRawPointer(sums)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<UInt64>.self) &+ lanes, as: SIMD8<UInt64>.self)
    }

    /// Writes this run's statistics as gain stage `stage` of `constants`:
    /// `offset = trunc(mean analog)`, `gainlevel_mean = trunc(mean digital)`,
    /// `stddev = sqrt(mean((a − mean)²))` (population), `frame_count = n`.
    /// A cell with no present frame gets offset 0, gain level 0, stddev NaN and frame count 0.
    public func finish(stage: Int, into constants: inout DarkConstants) {
        precondition(constants.cells == cells, "constants built for \(constants.cells) cells, sums for \(cells)")
        let pixels = Self.pixels
        let base = stage * cells * pixels
        constants.offset.withUnsafeMutableBufferPointer { offset in
        constants.gainlevelMean.withUnsafeMutableBufferPointer { gain in
        constants.stddev.withUnsafeMutableBufferPointer { stddev in
        constants.frameCount.withUnsafeMutableBufferPointer { frameCount in
            let out = Outputs(offset: offset.baseAddress! + base, gain: gain.baseAddress! + base,
                              stddev: stddev.baseAddress! + base, frameCount: frameCount.baseAddress! + base)
            let sums = self.sums
            forEachCellRange { _, cellRange in Self.finish(sums, cells: cellRange, into: out) }
        }}}}
    }

    /// One gain stage's output arrays, written by the threads of `finish` in disjoint cell rows.
    private struct Outputs: @unchecked Sendable {
        let offset: UnsafeMutablePointer<Int64>, gain: UnsafeMutablePointer<Int64>
        let stddev: UnsafeMutablePointer<Double>, frameCount: UnsafeMutablePointer<UInt32>
    }

    private static func finish(_ sums: Sums, cells cellRange: Range<Int>, into out: Outputs) {
        let pixels = Self.pixels
        let counts = sums.counts, sumAnalog = sums.analog, sumDigital = sums.digital, sumSquares = sums.squares
        for cell in cellRange {
            let n = counts[cell]
            let row = cell * pixels
            if n == 0 {
                (out.offset + row).update(repeating: 0, count: pixels)
                (out.gain + row).update(repeating: 0, count: pixels)
                (out.stddev + row).update(repeating: .nan, count: pixels)
                (out.frameCount + row).update(repeating: 0, count: pixels)
                continue
            }
            let count = UInt64(n)
            let countDouble = Double(n)
            for i in row..<(row + pixels) {
                let sa = sumAnalog[i]
                // Double division truncates exactly: the sums are exact below 2⁵³, and a true
                // quotient k − r/n (r ≥ 1) lies ≥ 1/n below k, far beyond one rounding step.
                out.offset[i] = Int64(Double(sa) / countDouble)
                out.gain[i] = Int64(Double(sumDigital[i]) / countDouble)
                out.stddev[i] = Self.populationStandardDeviation(sum: sa, sumOfSquares: sumSquares[i], count: count) / countDouble
                out.frameCount[i] = n
            }
        }
    }

    /// `sqrt(n·Σa² − (Σa)²)`; dividing by n gives the population standard deviation. The
    /// difference is formed exactly in 128 bits, so there is no cancellation.
    @inline(__always)
    static func populationStandardDeviation(sum: UInt64, sumOfSquares: UInt64, count: UInt64) -> Double {
        let left = count.multipliedFullWidth(by: sumOfSquares)
        let right = sum.multipliedFullWidth(by: sum)
        let (low, borrow) = left.low.subtractingReportingOverflow(right.low)
        let high = left.high &- right.high &- (borrow ? 1 : 0)
        return (Double(high) * 18_446_744_073_709_551_616.0 + Double(low)).squareRoot()
    }
}
