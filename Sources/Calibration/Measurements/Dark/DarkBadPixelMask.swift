import AGIPD

/// The bad-pixel mask of one module's dark constants, per memory cell and pixel, bit-coded
/// (docs/formats.md §6): computed at join, where the whole module is known, because its bounds
/// are robust statistics of the module per gain stage (a process unit sees only its ASICs).
///
/// | Bit | Name | A (cell, pixel) is flagged when, in any gain stage … |
/// |---|---|---|
/// | 1 | `noFrame` | it has no frame (`frame_count` 0) |
/// | 2 | `noisy` | its noise (`stddev`) is above median + k · σ̂ of the module's noise in that stage |
/// | 4 | `dead` | its noise is below `deadFraction` (0.1) × the module's median noise (a pixel that does not respond) |
/// | 8 | `hot` | its offset is above median + k · σ̂ of the module's offsets in that stage |
/// | 16 | `cold` | its offset is below median − k · σ̂ |
/// | 32 | `thresholdsUnordered` | threshold[0] ≥ threshold[1], or a gain level does not rise from stage to stage |
///
/// σ̂ = 1.4826 · MAD (the median absolute deviation, the standard deviation of a Gaussian), k =
/// `dark.mask_sigma` (5: a Gaussian module flags 6 in 10⁷ by chance). Pixels of missing ASICs
/// are left out of the statistics and flagged `noFrame`.
public enum DarkBadPixelMask {
    public static let noFrame: UInt8 = 1, noisy: UInt8 = 2, dead: UInt8 = 4, hot: UInt8 = 8, cold: UInt8 = 16
    public static let thresholdsUnordered: UInt8 = 32
    public static let defaultSigma = 5.0
    public static let deadFraction = 0.1

    /// The mask (cells, 128, 512) from the joined module arrays: offset, gainlevel_mean,
    /// stddev, frame_count (3, cells, 128, 512), threshold (2, cells, 128, 512).
    public static func compute(cells: Int, offset: [Int64], gainlevelMean: [Int64], stddev: [Double], threshold: [Double],
                               frameCount: [UInt32], sigma: Double = defaultSigma) -> [UInt8] {
        let plane = cells * ModuleGeometry.pixels
        func stage(_ s: Int) -> StagePlanes {
            let range = (s * plane)..<((s + 1) * plane)
            return StagePlanes(offset: Array(offset[range]), stddev: Array(stddev[range]), frameCount: Array(frameCount[range]))
        }
        func ordering(_ batch: Range<Int>) -> OrderingPlanes {
            func take<T>(_ values: [T], stages: Int) -> [T] {
                (0..<stages).flatMap { s in values[(s * plane + batch.lowerBound * ModuleGeometry.pixels)..<(s * plane + batch.upperBound * ModuleGeometry.pixels)] }
            }
            return OrderingPlanes(threshold: take(threshold, stages: 2), gainlevelMean: take(gainlevelMean, stages: DarkConstants.stages))
        }
        return compute(cells: cells, sigma: sigma, stage: stage, ordering: ordering)
    }

    /// One gain stage of a module: offset, stddev and frame_count, (cells, 128, 512) each.
    public struct StagePlanes {
        public var offset: [Int64], stddev: [Double], frameCount: [UInt32]
        public init(offset: [Int64], stddev: [Double], frameCount: [UInt32]) {
            self.offset = offset; self.stddev = stddev; self.frameCount = frameCount
        }
    }

    /// A batch of cells for the ordering rule: threshold (2, n, 128, 512), gainlevel_mean (3, n, 128, 512).
    public struct OrderingPlanes {
        public var threshold: [Double], gainlevelMean: [Int64]
        public init(threshold: [Double], gainlevelMean: [Int64]) { self.threshold = threshold; self.gainlevelMean = gainlevelMean }
    }

    /// Cells per batch of the ordering rule (memory: 40 B per pixel and cell).
    public static let orderingBatchCells = 32

    /// The mask, reading the module one gain stage at a time (the statistics span all cells of a
    /// stage) and the ordering rule in batches of cells, so a 352-cell module needs about one
    /// stage in memory (~0.8 GB) rather than every key (~2.3 GB).
    public static func compute(cells: Int, sigma: Double = defaultSigma, stage: (Int) throws -> StagePlanes,
                               ordering: (Range<Int>) throws -> OrderingPlanes) rethrows -> [UInt8] {
        let plane = cells * ModuleGeometry.pixels
        var mask = [UInt8](repeating: 0, count: plane)
        // Reused for every stage: the noise and offset of the pixels with frames, reordered by the selects.
        let noises = UnsafeMutableBufferPointer<Double>.allocate(capacity: plane)
        let offsets = UnsafeMutableBufferPointer<Int64>.allocate(capacity: plane)
        defer { noises.deallocate(); offsets.deallocate() }
        for s in 0..<DarkConstants.stages {
            let planes = try stage(s)
            precondition(planes.frameCount.count == plane && planes.stddev.count == plane && planes.offset.count == plane)
            planes.frameCount.withUnsafeBufferPointer { frameCount in
            planes.stddev.withUnsafeBufferPointer { stddev in
            planes.offset.withUnsafeBufferPointer { offset in
            mask.withUnsafeMutableBufferPointer { mask in
                var n = 0
                for i in 0..<plane {
                    // Written for every pixel, kept (n advances) only where it has frames: no branch.
                    noises[n] = stddev[i]; offsets[n] = offset[i]
                    n &+= frameCount[i] > 0 && stddev[i].isFinite ? 1 : 0
                }
                let noise = robust(UnsafeMutableBufferPointer(rebasing: noises[0..<n]))
                let level = robust(integers: UnsafeMutableBufferPointer(rebasing: offsets[0..<n]))
                let noisyAbove = noise.map { $0.median + sigma * $0.sigma } ?? .infinity
                let deadBelow = noise.map { deadFraction * $0.median } ?? -.infinity
                let hotAbove = level.map { $0.median + sigma * $0.sigma } ?? .infinity
                let coldBelow = level.map { $0.median - sigma * $0.sigma } ?? -.infinity
                for i in 0..<plane {
                    let s = stddev[i], o = Double(offset[i])
                    guard frameCount[i] > 0, s.isFinite else { mask[i] |= noFrame; continue }
                    var flags: UInt8 = s > noisyAbove ? noisy : 0
                    flags |= s < deadBelow ? dead : 0
                    flags |= o > hotAbove ? hot : 0
                    flags |= o < coldBelow ? cold : 0
                    mask[i] |= flags
                }
            }
            }
            }
            }
        }
        for first in stride(from: 0, to: cells, by: orderingBatchCells) {
            let batch = first..<min(cells, first + orderingBatchCells)
            let planes = try ordering(batch)
            let n = batch.count * ModuleGeometry.pixels, base = first * ModuleGeometry.pixels
            let threshold = planes.threshold, level = planes.gainlevelMean
            precondition(threshold.count == 2 * n && level.count == DarkConstants.stages * n)
            for i in 0..<n where mask[base + i] & noFrame == 0 {
                let ordered = threshold[i] < threshold[n + i] && level[i] < level[n + i] && level[n + i] < level[2 * n + i]
                if !ordered { mask[base + i] |= thresholdsUnordered }
            }
        }
        return mask
    }

    /// Median and 1.4826 · MAD of `values` (reordered in place); nil when empty.
    static func robust(_ values: inout [Double]) -> (median: Double, sigma: Double)? {
        values.withUnsafeMutableBufferPointer { robust($0) }
    }

    /// As ``robust(_:)-(UnsafeMutableBufferPointer<Double>)`` for integers (the offsets): one
    /// counting pass over their range gives the median and, walking outwards from it, the
    /// median absolute deviation; the same elements a select would return. Ranges wider than
    /// 2²⁰ fall back to the select.
    static func robust(integers values: UnsafeMutableBufferPointer<Int64>) -> (median: Double, sigma: Double)? {
        guard let low = values.min(), let high = values.max() else { return nil }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span < 1 << 20 else {
            var doubles = values.map(Double.init)
            return robust(&doubles)
        }
        let counts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Int(span) + 1)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        for value in values { counts[Int(value &- low)] &+= 1 }
        let k = values.count / 2
        var below = 0, median = 0
        while below + Int(counts[median]) <= k { below += Int(counts[median]); median += 1 }
        // The k-th smallest |v − median|: widen d until more than k values lie within ±d.
        var within = Int(counts[median]), d = 0
        while within <= k {
            d += 1
            if median - d >= 0 { within += Int(counts[median - d]) }
            if median + d < counts.count { within += Int(counts[median + d]) }
        }
        return (Double(low + Int64(median)), 1.4826 * Double(d))
    }

    static func robust(_ values: UnsafeMutableBufferPointer<Double>) -> (median: Double, sigma: Double)? {
        guard !values.isEmpty else { return nil }
        let median = OrderStatistic.select(values, values.count / 2)
        for i in values.indices { values[i] = abs(values[i] - median) }
        return (median, 1.4826 * OrderStatistic.select(values, values.count / 2))
    }
}
