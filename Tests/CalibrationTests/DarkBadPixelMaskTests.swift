import AGIPD
@testable import Calibration
import Testing

/// The bad-pixel mask's rules on hand-made module arrays.
@Suite("dark bad-pixel mask rules")
struct DarkBadPixelMaskTests {
    @Test("the robust bounds: median and 1.4826 · MAD; a missing frame is flagged, unordered gain levels too")
    func bounds() {
        var values: [Double] = [1, 2, 3, 4, 100]
        let robust = DarkBadPixelMask.robust(&values)
        #expect(robust?.median == 3 && abs((robust?.sigma ?? 0) - 1.4826) < 1e-12)
        // One cell, two pixels shown: pixel 0 without frames, pixel 1 with gain levels falling.
        let plane = ModuleGeometry.pixels
        var frames = [UInt32](repeating: 10, count: 3 * plane), offset = [Int64](repeating: 5000, count: 3 * plane)
        var levels = [Int64](repeating: 0, count: 3 * plane)
        for stage in 0..<3 { for i in 0..<plane { levels[stage * plane + i] = Int64(4500 + 1500 * stage) } }
        var stddev = [Double](repeating: 10, count: 3 * plane), threshold = [Double](repeating: 0, count: 2 * plane)
        for i in 0..<plane { threshold[i] = 5000; threshold[plane + i] = 7000 }
        frames[0] = 0
        levels[plane + 1] = 9000
        offset[2] = 4999; stddev[3] = 10.5
        let mask = DarkBadPixelMask.compute(cells: 1, offset: offset, gainlevelMean: levels, stddev: stddev,
                                            threshold: threshold, frameCount: frames)
        #expect(mask[0] == DarkBadPixelMask.noFrame && mask[1] == DarkBadPixelMask.thresholdsUnordered)
        // With a MAD of 0 every deviation is beyond the bounds: offset 4999 is cold, noise 10.5 noisy.
        #expect(mask[2] == DarkBadPixelMask.cold && mask[3] == DarkBadPixelMask.noisy)
        #expect(mask[4] == 0)
    }

    @Test("the offsets' median and MAD by counting equal the selects on the same values, narrow and wide ranges")
    func integerBounds() {
        var state: UInt64 = 99
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        for (count, span) in [(1, 1), (2, 3), (20_001, 40), (70_000, 16_384), (50_000, 1 << 21)] {
            var integers = (0..<count).map { _ in Int64(next() % UInt64(span)) - Int64(span / 3) }
            var doubles = integers.map(Double.init)
            let counted = integers.withUnsafeMutableBufferPointer { DarkBadPixelMask.robust(integers: $0) }
            let selected = DarkBadPixelMask.robust(&doubles)
            #expect(counted?.median == selected?.median && counted?.sigma == selected?.sigma, "count \(count) span \(span)")
        }
        var empty: [Int64] = []
        #expect(empty.withUnsafeMutableBufferPointer { DarkBadPixelMask.robust(integers: $0) } == nil)
    }
}
