import AGIPD
import CalFarmTestSupport
import Calibration
import FarmContract
import Foundation
import HDF5
import Testing

/// CalFarm's reading of files it did not write: EXtra-data's own mock writer pads
/// `INDEX/trainId` to a chunk size and writes `first`/`count` with one entry per train (the
/// layout CalFarm once refused). For every case the trains, their frame counts, the cells and
/// every frame's content that preprocess and gather produce equal what EXtra-data returns.
@Suite("Readers against EXtra-data's mock writer")
struct ExtraDataMockReaderTests {
    struct Case: CustomStringConvertible, Sendable {
        var format: String
        var chunk: Int
        var channels: [Int]
        var sequences: [[Int]]
        var description: String { "format \(format), chunk \(chunk), channels \(channels), frames \(sequences)" }
    }

    static let cases: [Case] = [
        // A lost train (0 frames) and a partial one; two sequences; both wings.
        Case(format: "1.0", chunk: 16, channels: [3, 12], sequences: [[3, 3, 0, 2, 3], [3, 3, 3, 3]]),
        // Format 0.5 (METADATA/dataSourceId, no INDEX/flag); one train in a file padded to 32.
        Case(format: "0.5", chunk: 32, channels: [0, 15], sequences: [[3]]),
        // Chunk 1: nothing padded at all; many trains.
        Case(format: "1.2", chunk: 1, channels: [7, 8], sequences: [Array(repeating: 2, count: 33)]),
        // Padding far longer than the data; lost trains at both ends of the data.
        Case(format: "1.0", chunk: 200, channels: [5, 10], sequences: [[0, 4, 4, 0, 4, 0], [4, 4]]),
    ]

    @Test("preprocess and gather see exactly what EXtra-data sees", arguments: cases)
    func sameAsExtraData(_ testCase: Case) throws {
        let input = try TemporaryDirectory("mock-in"), output = try TemporaryDirectory("mock-out")
        let run = 5
        try ExtraDataMock.write(.init(runs: [run], channels: testCase.channels,
                                      sequences: testCase.sequences.map(ExtraDataMock.Sequence.init(frames:)),
                                      chunk: testCase.chunk, format: testCase.format), to: input.path)
        let paths = ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .dark)
        let seen = try ExtraDataMock.read(runDirectory: paths.rawRunDir(run: run))

        // No detector configured: preprocess finds it in the files.
        let result = try Preprocess(inputDir: input.path, run: run, channels: testCase.channels, detectorString: "").run()
        #expect(result.detectorString == "SPB_DET_AGIPD1M-1")
        #expect(result.missingChannels.isEmpty)
        try result.write(to: paths.preprocessResult(run: run))

        for channel in testCase.channels {
            let source = try #require(seen.sources["SPB_DET_AGIPD1M-1/DET/\(channel)CH0:xtdf"])
            let entry = try #require(result.channel(channel))
            // Trains with frames, and how many, in order.
            let theirs = zip(source.train_ids, source.counts).filter { $0.1 > 0 }.map { [$0.0, UInt64($0.1)] }
            let ours = entry.sequences.flatMap { zip($0.trainIds, $0.counts) }.filter { $0.1 > 0 }.map { [$0.0, UInt64($0.1)] }
            #expect(ours == theirs, "channel \(channel)")
            #expect(result.cells == (source.cell_ids.max() ?? -1) + 1)

            // Every frame gathered at its (train, cell), with the same pixel sums in both planes.
            var expected: [[UInt64]: [Int]] = [:]
            for i in source.frame_train_ids.indices {
                expected[[source.frame_train_ids[i], UInt64(source.cell_ids[i])]] = [source.analog_sums[i], source.digital_sums[i]]
            }
            var gathered: [[UInt64]: [Int]] = [:]
            for sequence in entry.sequences {
                _ = try Gather(inputDir: input.path, outputDir: output.path, run: run, channel: channel,
                               sequence: sequence.sequence, blockBytes: 1 << 20).run()
                gathered.merge(try Self.frameSums(paths.gathered(run: run, channel: channel, sequence: sequence.sequence))) { $1 }
            }
            #expect(gathered.count == source.frame_train_ids.count, "channel \(channel): frames gathered")
            #expect(gathered == expected, "channel \(channel)")
        }
    }

    /// (train id, cell) → [sum of analog, sum of digital] over the module, for every present frame.
    static func frameSums(_ path: String) throws -> [[UInt64]: [Int]] {
        let file = try File.open(path)
        defer { try? file.close() }
        let analog = try file.root.dataset("analog"), digital = try file.root.dataset("digital")
        let shape = analog.shape  // (16, slots, cells, 64, 64)
        let (slots, cells) = (shape[1], shape[2])
        let a = try analog.read(UInt16.self), d = try digital.read(UInt16.self)
        let present = try file.root.dataset("present").read(UInt8.self)
        let trainIds = try file.root.dataset("train_id").read(UInt64.self)
        let block = 64 * 64
        var sums: [[UInt64]: [Int]] = [:]
        for slot in 0..<slots {
            for cell in 0..<cells where present[slot * cells + cell] != 0 {
                var sa = 0, sd = 0
                for asic in 0..<16 {
                    let base = ((asic * slots + slot) * cells + cell) * block
                    for i in base..<(base + block) { sa += Int(a[i]); sd += Int(d[i]) }
                }
                sums[[trainIds[slot], UInt64(cell)]] = [sa, sd]
            }
        }
        return sums
    }
}
