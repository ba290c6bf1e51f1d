/// The train-id rules of preprocess (agipd-reference §6.1, with the original's bugs fixed).
public enum PreprocessTrainRules {
    /// A jump larger than this between neighbouring train ids is not a run of lost trains.
    public static let maxJump: UInt64 = 1000

    /// Flags single bogus train ids in one channel's ids (in file order over all sequences).
    ///
    /// The original flags position p when `|v[p] − v[p−1]| > 1000` and `v[p−1] + 1 == v[p+1]`
    /// (a bogus id inserted between consecutive ids) and crashes when p is the last train.
    /// CalFarm flags p when the id jumps away by more than `maxJump` while its neighbours stay
    /// close to each other, `0 < v[p+1] − v[p−1] ≤ maxJump`; this includes the original's case
    /// and a bogus id that replaced a real one (`v[p+1] = v[p−1] + 2`), and allows lost trains
    /// next to it. At the ends, where one neighbour is missing, the two ids on the inner side
    /// must be close instead: the first id is bogus if `|v[1] − v[0]| > maxJump` and
    /// `0 < v[2] − v[1] ≤ maxJump`; the last likewise with `v[n−2]`, `v[n−3]`. With fewer
    /// than 3 ids nothing can be decided and nothing is flagged.
    public static func outliers(_ ids: [UInt64]) -> [Bool] {
        let n = ids.count
        var flagged = [Bool](repeating: false, count: n)
        guard n >= 3 else { return flagged }
        func far(_ a: UInt64, _ b: UInt64) -> Bool { (a > b ? a - b : b - a) > maxJump }
        func close(_ before: UInt64, _ after: UInt64) -> Bool { after > before && after - before <= maxJump }
        for p in 0..<n {
            if p == 0 {
                flagged[p] = far(ids[0], ids[1]) && close(ids[1], ids[2])
            } else if p == n - 1 {
                flagged[p] = far(ids[p], ids[p - 1]) && close(ids[p - 2], ids[p - 1])
            } else {
                flagged[p] = far(ids[p], ids[p - 1]) && close(ids[p - 1], ids[p + 1])
            }
        }
        return flagged
    }
}
