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
        var mask = [UInt8](repeating: 0, count: plane)
        for stage in 0..<DarkConstants.stages {
            let base = stage * plane
            var noises: [Double] = [], offsets: [Double] = []
            noises.reserveCapacity(plane); offsets.reserveCapacity(plane)
            for i in 0..<plane where frameCount[base + i] > 0 && stddev[base + i].isFinite {
                noises.append(stddev[base + i]); offsets.append(Double(offset[base + i]))
            }
            let noise = robust(&noises), level = robust(&offsets)
            for i in 0..<plane {
                guard frameCount[base + i] > 0, stddev[base + i].isFinite else { mask[i] |= noFrame; continue }
                let s = stddev[base + i], o = Double(offset[base + i])
                if let noise {
                    if s > noise.median + sigma * noise.sigma { mask[i] |= noisy }
                    if s < deadFraction * noise.median { mask[i] |= dead }
                }
                if let level {
                    if o > level.median + sigma * level.sigma { mask[i] |= hot }
                    if o < level.median - sigma * level.sigma { mask[i] |= cold }
                }
            }
        }
        for i in 0..<plane where mask[i] & noFrame == 0 {
            let ordered = threshold[i] < threshold[plane + i]
                && gainlevelMean[i] < gainlevelMean[plane + i] && gainlevelMean[plane + i] < gainlevelMean[2 * plane + i]
            if !ordered { mask[i] |= thresholdsUnordered }
        }
        return mask
    }

    /// Median and 1.4826 · MAD of `values` (reordered in place); nil when empty.
    static func robust(_ values: inout [Double]) -> (median: Double, sigma: Double)? {
        guard !values.isEmpty else { return nil }
        let median = OrderStatistic.select(&values, values.count / 2)
        for i in values.indices { values[i] = abs(values[i] - median) }
        return (median, 1.4826 * OrderStatistic.select(&values, values.count / 2))
    }
}
