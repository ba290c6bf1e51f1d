/// The k-th smallest of many values without sorting them all: medians and percentiles of
/// module-sized planes, for the bad-pixel mask and the report's maps.
///
/// Large inputs use a radix select over the values' order-preserving bit keys: one counting pass
/// over all values for the top 16 bits, then passes over the shrinking set of candidates that share
/// the chosen prefix. That costs about two reads of the input and no data-dependent branches, where
/// quickselect's partitioning mispredicts on every other element (a 352-cell module stage is 23 M
/// values: ~0.3 s by quickselect, ~0.05 s this way). Exact: it returns the same element.
public enum OrderStatistic {
    /// Below this count quickselect is cheaper than clearing the 16-bit histogram.
    static let radixThreshold = 16_384

    /// The k-th smallest value (0-based) of `values`, which it may reorder. `values` must hold
    /// more than k and no NaN.
    public static func select(_ values: inout [Double], _ k: Int) -> Double {
        values.withUnsafeMutableBufferPointer { select($0, k) }
    }

    /// As ``select(_:_:)-(inout [Double],Int)`` on caller-owned memory (the bad-pixel mask's reused scratch).
    public static func select(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        precondition(k >= 0 && k < values.count, "select: k \(k) outside 0..<\(values.count)")
        if values.count < radixThreshold { return quickselect(values, k) }
        return radixSelect(UnsafeBufferPointer(values), k)
    }

    /// Quickselect, Hoare partition.
    static func quickselect(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var low = 0, high = values.count - 1
        while low < high {
            let pivot = values[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { high = j } else if k >= i { low = i } else { break }
        }
        return values[k]
    }

    /// A key whose unsigned order is the order of the doubles (negatives flipped, positives
    /// above them; without a branch); -0 sorts just below +0, which compare equal anyway.
    @inline(__always) static func key(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits ^ (UInt64(bitPattern: Int64(bitPattern: bits) >> 63) | (1 << 63))
    }

    @inline(__always) static func value(ofKey key: UInt64) -> Double {
        key & (1 << 63) != 0 ? Double(bitPattern: key & ~(1 << 63)) : Double(bitPattern: ~key)
    }

    static func radixSelect(_ values: UnsafeBufferPointer<Double>, _ k: Int) -> Double {
        let bins = 1 << 16
        let histogram = UnsafeMutableBufferPointer<Int>.allocate(capacity: bins)
        defer { histogram.deallocate() }
        var rank = k
        /// The bin holding the rank-th key; rank becomes the rank inside that bin.
        func pick() -> UInt64 {
            var bin = 0
            while rank >= histogram[bin] { rank -= histogram[bin]; bin += 1 }
            return UInt64(bin)
        }
        histogram.initialize(repeating: 0)
        for value in values { histogram[Int(truncatingIfNeeded: key(value) >> 48)] += 1 }
        let top = pick()
        // The candidates sharing the chosen prefix, kept without a branch (written, then counted).
        let candidates = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: histogram[Int(top)] + 1)
        defer { candidates.deallocate() }
        var count = 0
        for value in values {
            let k = key(value)
            candidates[count] = k
            count &+= k >> 48 == top ? 1 : 0
        }
        for shift in stride(from: UInt64(32), through: 0, by: -16) {
            histogram.update(repeating: 0)
            for i in 0..<count { histogram[Int(truncatingIfNeeded: (candidates[i] >> shift) & 0xFFFF)] += 1 }
            let bin = pick()
            var kept = 0
            for i in 0..<count {
                let c = candidates[i]
                candidates[kept] = c
                kept &+= (c >> shift) & 0xFFFF == bin ? 1 : 0
            }
            count = kept
        }
        return value(ofKey: candidates[0])
    }
}
