import AGIPD
import Calibration
import Foundation
import Testing

/// The two-peak fit on constructed pixels: known mixtures, each failure code, and the spacing
/// error against the scatter of many independent pixels.
@Suite("xray: the two-peak maximum-likelihood fit")
struct XrayPeakFitTests {
    /// A reproducible stream of standard normals (Box–Muller on a 64-bit LCG).
    struct Normals {
        var state: UInt64
        mutating func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) * 0x1p-53
        }
        mutating func normal() -> Double {
            (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
        }
    }

    /// Histogram of `frames` values: offset + photon·spacing + N(0, σ²), rounded; bins of
    /// `bins` from `origin`.
    static func histogram(frames: Int, offset: Double, spacing: Double, sigma: Double, hit: Double,
                          seed: UInt64, bins: Int = 512, origin: Int) -> [UInt32] {
        var random = Normals(state: seed)
        var h = [UInt32](repeating: 0, count: bins)
        for _ in 0..<frames {
            let photon = random.uniform() < hit ? 1.0 : 0.0
            let value = Int((offset + photon * spacing + sigma * random.normal()).rounded()) - origin
            if value >= 0 && value < bins { h[value] += 1 }
        }
        return h
    }

    static func fit(_ h: [UInt32], settings: XrayFitSettings = XrayFitSettings()) -> XrayPeakFit {
        h.withUnsafeBufferPointer { XrayPeakFitter.fit($0, settings: settings, scratch: XrayPeakFitter.Scratch()) }
    }

    @Test("narrow Cu-like and broad Mo-like peaks: the spacing's z-scores over 2,000 pixels have RMS ≈ 1 and mean ≈ 0")
    func spacingErrorMatchesScatter() {
        for (spacing, sigma, hit) in [(64.0, 6.0, 0.2), (64.0, 12.0, 0.3), (140.0, 16.0, 0.15), (140.0, 18.0, 0.35)] {
            var z: [Double] = []
            for seed in 0..<2_000 {
                let h = Self.histogram(frames: 600, offset: 200.5, spacing: spacing, sigma: sigma, hit: hit,
                                       seed: UInt64(seed + 1), origin: 0)
                let result = Self.fit(h)
                guard result.status == .converged else { Issue.record("seed \(seed): \(result.status)"); continue }
                z.append((result.spacing - spacing) / result.spacingError)
            }
            let mean = z.reduce(0, +) / Double(z.count)
            let rms = (z.map { $0 * $0 }.reduce(0, +) / Double(z.count)).squareRoot()
            #expect(z.count == 2_000)
            #expect(abs(mean) < 0.08, "spacing \(spacing), σ \(sigma): mean z \(mean)")
            #expect(rms > 0.93 && rms < 1.07, "spacing \(spacing), σ \(sigma): RMS z \(rms)")
            #expect(z.allSatisfy { abs($0) < 5.5 })
        }
    }

    @Test("a fit recovers means, widths and the hit fraction of a large sample")
    func recoversParameters() {
        let h = Self.histogram(frames: 200_000, offset: 150.25, spacing: 70, sigma: 9, hit: 0.25, seed: 7, origin: 0)
        let r = Self.fit(h)
        #expect(r.status == .converged)
        #expect(abs(r.mean[0] - 150.25) < 0.1 && abs(r.mean[1] - 220.25) < 0.2)
        #expect(abs(r.sigma[0] - 9) < 0.1 && abs(r.sigma[1] - 9) < 0.2)
        #expect(abs(r.hitFraction - 0.25) < 0.01)
        #expect(r.quality > 0.9)
    }

    @Test("failure codes: too few frames, one peak only, spacing ≤ the minimum; failed fits carry no numbers")
    func failureCodes() {
        let few = Self.fit(Self.histogram(frames: 30, offset: 200, spacing: 64, sigma: 8, hit: 0.3, seed: 3, origin: 0))
        #expect(few.status == .tooFewFrames && few.frames == 30)
        let empty = Self.fit([UInt32](repeating: 0, count: 512))
        #expect(empty.status == .tooFewFrames && empty.frames == 0)
        for sigma in [6.0, 12.0, 18.0] {
            let single = Self.fit(Self.histogram(frames: 2_000, offset: 250, spacing: 0, sigma: sigma, hit: 0, seed: 5, origin: 0))
            #expect(single.status == .onePeakOnly, "σ \(sigma): \(single.status)")
            #expect(single.spacing.isNaN && single.spacingError.isNaN)
        }
        let fewHits = Self.fit(Self.histogram(frames: 2_000, offset: 250, spacing: 64, sigma: 8, hit: 0.004, seed: 9, origin: 0))
        #expect(fewHits.status == .onePeakOnly, "\(fewHits.status)")
        let close = Self.fit(Self.histogram(frames: 5_000, offset: 250, spacing: 8, sigma: 1.2, hit: 0.4, seed: 11, origin: 0))
        #expect(close.status == .spacingTooSmall, "\(close.status)")
        #expect(close.spacing.isNaN)
        var strict = XrayFitSettings()
        strict.maxIterations = 1
        let cut = Self.fit(Self.histogram(frames: 5_000, offset: 250, spacing: 40, sigma: 12, hit: 0.4, seed: 13, origin: 0), settings: strict)
        #expect(cut.status == .notConverged, "\(cut.status)")
    }
}
