import AGIPD
import Foundation

/// Settings of the two-peak fit; the `xray` configuration section sets them.
public struct XrayFitSettings: Sendable, Equatable {
    /// Frames each peak needs (the 1-photon peak's N·hit_fraction, the 0-photon peak's rest).
    public var minPeakFrames = 20
    /// A fitted spacing at or below this many ADU is flagged (the original's 10 ADU).
    public var minSpacing = 10.0
    /// The fitted density must dip between the peaks by at least this fraction of the lower
    /// peak (`quality`); less is one peak, however the mixture split it.
    public var minValleyDepth = 0.1
    public var maxIterations = 1_000
    /// EM stops when no mean or width moves by more than this many ADU (the spacing's error
    /// is ~1 ADU).
    public var tolerance = 1e-6
    public init() {}
}

/// The fit of one pixel and cell (positions relative to the histogram's first bin's value).
public struct XrayPeakFit: Sendable, Equatable {
    public var status: XrayConstants.FitStatus
    public var frames: Int
    public var mean = SIMD2<Double>(.nan, .nan)
    public var sigma = SIMD2<Double>(.nan, .nan)
    public var sigmaError = SIMD2<Double>(.nan, .nan)
    public var hitFraction = Double.nan
    public var spacingError = Double.nan
    public var quality = Double.nan
    public var iterations = 0

    public var spacing: Double { mean[1] - mean[0] }

    init(status: XrayConstants.FitStatus, frames: Int) {
        self.status = status
        self.frames = frames
    }
}

/// Maximum-likelihood fit of a two-Gaussian mixture (0 and 1 photon) to the integer analog
/// values of one pixel and cell, given as a histogram of unit bins.
///
/// - Start: Otsu's split of the histogram (the threshold that maximises the between-class
///   variance), which needs no window width or peak-height parameter; each class gives a
///   mean, a width and the weight.
/// - EM on the occupied bins until no mean or width moves by more than `tolerance`. The
///   Gaussians are evaluated on the integer grid by a two-multiplication recurrence from the
///   bin nearest the mean outwards, so an iteration costs no `exp` per bin.
/// - Errors: the inverse of the expected Fisher information of the five parameters
///   (hit fraction, means, widths) for N integer observations, summed over the grid
///   μ₀ − 6σ₀ … μ₁ + 6σ₁ (beyond, the density is below 10⁻⁸ of its peak). It includes the information lost where the peaks overlap, which the
///   original's per-peak covariances (fitted on a smoothed histogram) do not.
public enum XrayPeakFitter {
    /// Scratch of one thread: Gaussian values on the grid.
    public final class Scratch {
        var g0: [Double] = []
        var g1: [Double] = []
        /// Three 5 × 5 matrices: the information, its Cholesky factor, the factor's inverse.
        let matrices = UnsafeMutablePointer<Double>.allocate(capacity: 75)
        public init() {}
        deinit { matrices.deallocate() }

        func reserve(_ count: Int) {
            if g0.count < count {
                g0 = [Double](repeating: 0, count: count)
                g1 = [Double](repeating: 0, count: count)
            }
        }
    }

    static let inverseSqrt2Pi = 1 / (2 * Double.pi).squareRoot()

    /// exp(−(x − μ)² / (2σ²)) for x = first ..< first + count into `out`, by recurrence from the
    /// grid point nearest μ (values shrink outwards, so underflow to 0 is the right answer).
    @inline(__always)
    static func gaussianRow(mean: Double, sigma: Double, first: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        let a = 1 / (2 * sigma * sigma)
        let step = Foundation.exp(-2 * a)
        let start = min(max(Int(mean.rounded()), first), first + count - 1)
        let d = Double(start) - mean
        let peak = Foundation.exp(-a * d * d)
        out[start - first] = peak
        var g = peak, q = Foundation.exp(-a * (2 * d + 1))
        var i = start - first + 1
        while i < count {
            g *= q; q *= step
            out[i] = g
            i += 1
        }
        g = peak; q = Foundation.exp(a * (2 * d - 1))
        i = start - first - 1
        while i >= 0 {
            g *= q; q *= step
            out[i] = g
            i -= 1
        }
    }

    /// Fits `histogram` (counts of the values 0, 1, …, bins − 1 relative to its origin).
    public static func fit(_ histogram: UnsafeBufferPointer<UInt32>, settings: XrayFitSettings, scratch: Scratch) -> XrayPeakFit {
        var lo = -1, hi = -1, total = 0
        for i in 0..<histogram.count where histogram[i] != 0 {
            if lo < 0 { lo = i }
            hi = i
            total += Int(histogram[i])
        }
        guard total >= 2 * settings.minPeakFrames, lo < hi else {
            return XrayPeakFit(status: total >= 2 * settings.minPeakFrames ? .onePeakOnly : .tooFewFrames, frames: total)
        }
        let n = Double(total)
        guard var (mean, sigma, hit) = otsuStart(histogram, lo: lo, hi: hi) else {
            return XrayPeakFit(status: .onePeakOnly, frames: total)
        }

        // EM over the occupied range.
        let width = hi - lo + 1
        scratch.reserve(width)
        var result = XrayPeakFit(status: .converged, frames: total)
        var converged = false, vanished = false
        scratch.g0.withUnsafeMutableBufferPointer { g0 in
            scratch.g1.withUnsafeMutableBufferPointer { g1 in
                // Scalars, not SIMD lanes, in the loops: debug builds (the tests) call each lane access.
                var m0 = mean[0], m1 = mean[1], s0 = sigma[0], s1 = sigma[1]
                for iteration in 1...settings.maxIterations {
                    result.iterations = iteration
                    gaussianRow(mean: m0, sigma: s0, first: lo, count: width, into: g0.baseAddress!)
                    gaussianRow(mean: m1, sigma: s1, first: lo, count: width, into: g1.baseAddress!)
                    let w0 = (1 - hit) / s0, w1 = hit / s1
                    var sum0 = 0.0, sum1 = 0.0, first0 = 0.0, first1 = 0.0, second0 = 0.0, second1 = 0.0
                    var x = Double(lo)
                    for i in 0..<width {
                        let c = Double(histogram[lo + i])
                        let p0 = w0 * g0[i], p1 = w1 * g1[i]
                        let f = p0 + p1
                        if c != 0 && f > 0 {
                            let r1 = c * p1 / f, r0 = c - r1
                            let d0 = x - m0, d1 = x - m1
                            sum0 += r0; first0 += r0 * d0; second0 += r0 * d0 * d0
                            sum1 += r1; first1 += r1 * d1; second1 += r1 * d1 * d1
                        }
                        x += 1
                    }
                    guard sum0 >= 1, sum1 >= 1 else { vanished = true; break }
                    let shift0 = first0 / sum0, shift1 = first1 / sum1
                    // Widths below a twelfth of a bin squared are the integer grid, not noise.
                    let new0 = max(second0 / sum0 - shift0 * shift0, 1.0 / 12).squareRoot()
                    let new1 = max(second1 / sum1 - shift1 * shift1, 1.0 / 12).squareRoot()
                    let moved = max(abs(shift0), abs(shift1), abs(new0 - s0), abs(new1 - s1))
                    m0 += shift0; m1 += shift1
                    s0 = new0; s1 = new1
                    hit = sum1 / (sum0 + sum1)
                    if moved < settings.tolerance { converged = true; break }
                }
                mean = SIMD2(m0, m1)
                sigma = SIMD2(s0, s1)
            }
        }
        if vanished { return XrayPeakFit(status: .onePeakOnly, frames: total) }
        if mean[0] > mean[1] {
            mean = SIMD2(mean[1], mean[0]); sigma = SIMD2(sigma[1], sigma[0]); hit = 1 - hit
        }
        let information = fisherInformation(mean: mean, sigma: sigma, hit: hit, frames: n, scratch: scratch)
        let small = min(hit, 1 - hit) * n
        if small < Double(settings.minPeakFrames) || !(information.quality >= settings.minValleyDepth) {
            result.status = .onePeakOnly
        } else if !converged {
            result.status = .notConverged
        } else if mean[1] - mean[0] <= settings.minSpacing {
            result.status = .spacingTooSmall
        } else if let covariance = information.covariance {
            result.mean = mean
            result.sigma = sigma
            result.hitFraction = hit
            result.quality = information.quality
            result.spacingError = (covariance.mean0 + covariance.mean1 - 2 * covariance.means).squareRoot()
            result.sigmaError = SIMD2(covariance.sigma0.squareRoot(), covariance.sigma1.squareRoot())
        } else {
            result.status = .notConverged
        }
        return result
    }

    /// Otsu's threshold on the bins lo…hi and the two classes' mean, width and the upper
    /// class's weight; nil if a class is empty. One pass of running sums (positions relative
    /// to lo, so the squares stay exact in Double).
    static func otsuStart(_ h: UnsafeBufferPointer<UInt32>, lo: Int, hi: Int)
        -> (mean: SIMD2<Double>, sigma: SIMD2<Double>, hit: Double)? {
        var total = 0.0, totalX = 0.0, totalXX = 0.0
        var x = 0.0
        for i in lo...hi {
            let c = Double(h[i])
            total += c; totalX += c * x; totalXX += c * x * x
            x += 1
        }
        var n0 = 0.0, s0 = 0.0, q0 = 0.0, best = -1.0
        var bestN = 0.0, bestS = 0.0, bestQ = 0.0
        x = 0
        for t in lo..<hi {
            let c = Double(h[t])
            n0 += c; s0 += c * x; q0 += c * x * x
            x += 1
            let n1 = total - n0
            guard n0 > 0, n1 > 0 else { continue }
            let difference = s0 / n0 - (totalX - s0) / n1
            let between = n0 * n1 * difference * difference
            if between > best { (best, bestN, bestS, bestQ) = (between, n0, s0, q0) }
        }
        guard best > 0 else { return nil }
        let n1 = total - bestN, s1 = totalX - bestS, q1 = totalXX - bestQ
        let mean0 = bestS / bestN, mean1 = s1 / n1
        let variance0 = bestQ / bestN - mean0 * mean0, variance1 = q1 / n1 - mean1 * mean1
        let base = Double(lo)
        return (SIMD2(mean0 + base, mean1 + base), SIMD2(max(variance0, 0.25).squareRoot(), max(variance1, 0.25).squareRoot()),
                n1 / total)
    }

    /// The expected Fisher information of (hit, μ₀, σ₀, μ₁, σ₁) for `frames` integer values,
    /// inverted; and the valley depth of the fitted density between the means.
    static func fisherInformation(mean: SIMD2<Double>, sigma: SIMD2<Double>, hit: Double, frames: Double, scratch: Scratch)
        -> (covariance: Covariance?, quality: Double) {
        let first = Int((mean[0] - 6 * sigma[0]).rounded(.down))
        let last = Int((mean[1] + 6 * sigma[1]).rounded(.up))
        let count = last - first + 1
        scratch.reserve(count)
        // The 15 distinct entries of the symmetric information matrix, as scalars (see above).
        var i00 = 0.0, i01 = 0.0, i02 = 0.0, i03 = 0.0, i04 = 0.0, i11 = 0.0, i12 = 0.0, i13 = 0.0, i14 = 0.0
        var i22 = 0.0, i23 = 0.0, i24 = 0.0, i33 = 0.0, i34 = 0.0, i44 = 0.0
        var valley = Double.infinity, top0 = 0.0, top1 = 0.0
        let m0 = mean[0], m1 = mean[1], sd0 = sigma[0], sd1 = sigma[1]
        let c0 = (1 - hit) * inverseSqrt2Pi / sd0, c1 = hit * inverseSqrt2Pi / sd1
        let v0 = 1 / (sd0 * sd0), v1 = 1 / (sd1 * sd1)
        let nearest0 = Int(m0.rounded()), nearest1 = Int(m1.rounded())
        scratch.g0.withUnsafeMutableBufferPointer { g0 in
            scratch.g1.withUnsafeMutableBufferPointer { g1 in
                gaussianRow(mean: m0, sigma: sd0, first: first, count: count, into: g0.baseAddress!)
                gaussianRow(mean: m1, sigma: sd1, first: first, count: count, into: g1.baseAddress!)
                // The density's top at each mean and its lowest point between them.
                top0 = c0 * g0[nearest0 - first] + c1 * g1[nearest0 - first]
                top1 = c0 * g0[nearest1 - first] + c1 * g1[nearest1 - first]
                if nearest1 - nearest0 >= 2 {
                    for i in (nearest0 + 1 - first)..<(nearest1 - first) { valley = min(valley, c0 * g0[i] + c1 * g1[i]) }
                }
                // Branch-free: where f underflows its terms vanish with it.
                var d0 = Double(first) - m0, d1 = Double(first) - m1
                for i in 0..<count {
                    let p0 = c0 * g0[i], p1 = c1 * g1[i]
                    let f = max(p0 + p1, 1e-300)
                    let r1 = p1 / f, r0 = 1 - r1
                    let a0 = r1 / hit - r0 / (1 - hit)
                    let a1 = r0 * d0 * v0, a2 = r0 * (d0 * d0 * v0 - 1) / sd0
                    let a3 = r1 * d1 * v1, a4 = r1 * (d1 * d1 * v1 - 1) / sd1
                    let f0 = f * a0, f1 = f * a1, f2 = f * a2, f3 = f * a3
                    i00 += f0 * a0; i01 += f0 * a1; i02 += f0 * a2; i03 += f0 * a3; i04 += f0 * a4
                    i11 += f1 * a1; i12 += f1 * a2; i13 += f1 * a3; i14 += f1 * a4
                    i22 += f2 * a2; i23 += f2 * a3; i24 += f2 * a4
                    i33 += f3 * a3; i34 += f3 * a4; i44 += f * a4 * a4
                    d0 += 1; d1 += 1
                }
            }
        }
        let info = scratch.matrices
        func set(_ a: Int, _ b: Int, _ value: Double) { info[a * 5 + b] = value * frames; info[b * 5 + a] = value * frames }
        set(0, 0, i00); set(0, 1, i01); set(0, 2, i02); set(0, 3, i03); set(0, 4, i04)
        set(1, 1, i11); set(1, 2, i12); set(1, 3, i13); set(1, 4, i14)
        set(2, 2, i22); set(2, 3, i23); set(2, 4, i24)
        set(3, 3, i33); set(3, 4, i34); set(4, 4, i44)
        let quality = valley.isFinite ? 1 - valley / max(min(top0, top1), .leastNormalMagnitude) : 0
        return (invertSymmetric(scratch.matrices), max(0, min(1, quality)))
    }

    /// The entries of the inverse information the outputs need.
    struct Covariance {
        var mean0 = 0.0, mean1 = 0.0, means = 0.0, sigma0 = 0.0, sigma1 = 0.0
    }

    /// The needed entries of the inverse of the symmetric positive-definite 5 × 5 matrix at
    /// `m` (row-major; `m + 25` and `m + 50` are work space), by Cholesky; nil if it is not
    /// positive definite. Parameters: 0 hit, 1 μ₀, 2 σ₀, 3 μ₁, 4 σ₁.
    static func invertSymmetric(_ m: UnsafeMutablePointer<Double>) -> Covariance? {
        let n = 5
        let l = m + 25, inverseL = m + 50
        for i in 0..<25 { l[i] = 0; inverseL[i] = 0 }
        for i in 0..<n {
            for j in 0...i {
                var s = m[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        // L⁻¹ by forward substitution; then (A⁻¹)ᵢⱼ = Σₖ (L⁻¹)ₖᵢ (L⁻¹)ₖⱼ.
        for c in 0..<n {
            for i in c..<n {
                var s = i == c ? 1.0 : 0.0
                for k in c..<i { s -= l[i * n + k] * inverseL[k * n + c] }
                inverseL[i * n + c] = s / l[i * n + i]
            }
        }
        func entry(_ i: Int, _ j: Int) -> Double {
            var s = 0.0
            for k in max(i, j)..<n { s += inverseL[k * n + i] * inverseL[k * n + j] }
            return s
        }
        return Covariance(mean0: entry(1, 1), mean1: entry(3, 3), means: entry(1, 3), sigma0: entry(2, 2), sigma1: entry(4, 4))
    }
}
