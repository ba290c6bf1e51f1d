/// Balanced ASIC chunking for process jobs.
///
/// The original's `generate_asic_lists` produced more chunks than asked for (7 for n_jobs 6,
/// 12–15 for n_jobs 9–14; agipd-reference §4.5). Here the count is exactly `min(n, asics.count)`
/// and chunk sizes differ by at most one, larger chunks first.
public enum ASICChunks {
    /// Splits `asics` into `min(chunkCount, asics.count)` consecutive chunks, keeping order.
    /// - Parameters:
    ///   - asics: the ASICs to split, in the order they are processed.
    ///   - chunkCount: the requested number of chunks (`process.n_jobs`); values below 1 count as 1.
    /// - Returns: the chunks; empty when `asics` is empty.
    public static func balanced(_ asics: [Int], chunkCount: Int) -> [[Int]] {
        guard !asics.isEmpty else { return [] }
        let count = min(max(chunkCount, 1), asics.count)
        let base = asics.count / count, larger = asics.count % count
        var chunks: [[Int]] = []
        chunks.reserveCapacity(count)
        var start = 0
        for i in 0..<count {
            let size = base + (i < larger ? 1 : 0)
            chunks.append(Array(asics[start..<(start + size)]))
            start += size
        }
        return chunks
    }
}
