import Testing
@testable import AGIPD

@Suite("order statistics")
struct OrderStatisticTests {
    /// A reproducible stream (SplitMix64), so a failure names the same values every time.
    struct Stream {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("radix select returns the element sorting puts at k: negatives, zeros of both signs, ties, huge and tiny values")
    func radixAgreesWithSorting() {
        var stream = Stream(state: 7)
        for (count, kind) in [(20_000, 0), (65_537, 1), (100_000, 2)] {
            var values = (0..<count).map { _ -> Double in
                let r = stream.next()
                switch kind {
                case 0: return Double(Int64(bitPattern: r) % 1000) / 8          // many ties, negatives
                case 1: return Double(bitPattern: r & 0x7FEF_FFFF_FFFF_FFFF) * (r & 1 == 0 ? 1 : -1)  // every exponent
                default: return 3.5 + Double(r % 1_000_000) * 1e-9               // a narrow band: one top bin
                }
            }
            values[0] = 0; values[1] = -0.0
            let sorted = values.sorted()
            for k in [0, 1, count / 100, count / 2, count - 2, count - 1] {
                var copy = values
                #expect(OrderStatistic.select(&copy, k) == sorted[k], "count \(count) kind \(kind) k \(k)")
            }
        }
        // Below the radix threshold: quickselect, same answers.
        var small: [Double] = [5, -1, 3, 3, 9, 0]
        #expect(OrderStatistic.select(&small, 3) == 3)
    }
}
