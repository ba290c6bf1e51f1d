import Testing
@testable import Farm

@Suite("Balanced ASIC chunks")
struct ASICChunkTests {
    @Test("n_jobs 1…20 over 16 ASICs: exactly min(n, 16) chunks, sizes differ by at most one, order kept, each ASIC once",
          arguments: 1...20)
    func balanced(nJobs: Int) {
        let asics = Array(1...16)
        let chunks = ASICChunks.balanced(asics, chunkCount: nJobs)
        #expect(chunks.count == min(nJobs, 16))
        let sizes = chunks.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(chunks.flatMap { $0 } == asics)
        #expect(chunks.allSatisfy { !$0.isEmpty })
    }

    @Test("the cases the original got wrong: 6 → 6 chunks (3,3,3,3,2,2), 9 → 9 chunks")
    func originalsBadCases() {
        #expect(ASICChunks.balanced(Array(1...16), chunkCount: 6).map(\.count) == [3, 3, 3, 3, 2, 2])
        #expect(ASICChunks.balanced(Array(1...16), chunkCount: 9).count == 9)
        #expect(ASICChunks.balanced(Array(1...16), chunkCount: 3) == [Array(1...6), Array(7...11), Array(12...16)])
    }

    @Test("an irregular ASIC list keeps its order; empty input or n < 1 is handled")
    func irregularLists() {
        #expect(ASICChunks.balanced([9, 2, 5], chunkCount: 2) == [[9, 2], [5]])
        #expect(ASICChunks.balanced([], chunkCount: 4).isEmpty)
        #expect(ASICChunks.balanced([1, 2], chunkCount: 0) == [[1, 2]])
        #expect(JobUnitID.asicTag([9, 2]) == "a09_02")
        #expect(JobUnitID.asicTag([3, 4, 5]) == "a03-05")
        #expect(JobUnitID.asicTag([5]) == "a05")
    }
}
