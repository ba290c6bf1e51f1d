/// The k-th smallest of many values without sorting them all (quickselect, Hoare partition):
/// medians and percentiles of module-sized planes, for the bad-pixel mask and the report's maps.
public enum OrderStatistic {
    /// The k-th smallest value (0-based) of `values`, which it reorders. `values` must hold more than k.
    public static func select(_ values: inout [Double], _ k: Int) -> Double {
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
}
