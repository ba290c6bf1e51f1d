import AGIPD
import Calibration
import Simulator
import Testing

@Suite("Preprocess: train slots from simulated runs")
struct PreprocessTests {
    static let detector = "MID_DET_AGIPD1M-1"

    func preprocess(_ input: SimulatedInput, channels: [Int], interleaved: Bool = false) throws -> PreprocessResult {
        try Preprocess(inputDir: input.inputDir, run: 7, channels: channels, detectorString: Self.detector,
                       interleaved: interleaved).run()
    }

    func slots(_ result: PreprocessResult, _ channel: Int) -> [Int] {
        result.channel(channel)?.sequences.flatMap(\.slots) ?? []
    }

    @Test("A clean run gets consecutive slots, its cells and no warnings")
    func cleanRun() throws {
        let input = try SimulatedInput("pre-clean") { $0.channels = [0, 9]; $0.trains = 6; $0.cells = 3 }
        let result = try preprocess(input, channels: [0, 9])
        #expect(result.layout == .y2018)
        #expect(result.cells == 3)
        #expect(result.slotCount == 6)
        #expect(result.firstTrainId == 10_000)
        #expect(result.missingChannels.isEmpty)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.channels.map(\.channel) == [0, 9])
        let sequence = try #require(result.channel(9)?.sequences.first)
        #expect(sequence.file == "RAW-R0007-AGIPD09-S00000.h5")
        #expect(sequence.indexOffset == 0)
        #expect(sequence.trainIds == Array(10_000...10_005))
        #expect(sequence.slots == Array(0...5))
        #expect(sequence.firstFrames == [0, 3, 6, 9, 12, 15])
        #expect(sequence.counts == [3, 3, 3, 3, 3, 3])
    }

    @Test("Lost trains leave gaps at their slots and slotCount is the span")
    func lostTrains() throws {
        let input = try SimulatedInput("pre-lost") { $0.channels = [0, 1]; $0.trains = 8; $0.lostTrains = [2, 3] }
        let result = try preprocess(input, channels: [0, 1])
        #expect(slots(result, 0) == [0, 1, 4, 5, 6, 7])
        #expect(slots(result, 1) == [0, 1, 4, 5, 6, 7])
        #expect(result.slotCount == 8)
        #expect(result.warnings.contains { $0.contains("channel 0") && $0.contains("2 train(s) lost") })
    }

    @Test("A train lost with INDEX count 0 keeps its slot, with count 0")
    func emptyCountLoss() throws {
        let input = try SimulatedInput("pre-empty") { $0.trains = 5; $0.lostTrains = [2]; $0.lostTrainMode = .emptyCount }
        let result = try preprocess(input, channels: [0])
        let sequence = try #require(result.channel(0)?.sequences.first)
        #expect(sequence.slots == [0, 1, 2, 3, 4])
        #expect(sequence.counts == [2, 2, 0, 2, 2])
        #expect(result.slotCount == 5)
    }

    @Test("A late channel's slots start after the others'")
    func lateChannel() throws {
        let input = try SimulatedInput("pre-late") { $0.channels = [0, 4]; $0.trains = 6; $0.lateChannels = [4: 2] }
        let result = try preprocess(input, channels: [0, 4])
        #expect(slots(result, 0) == [0, 1, 2, 3, 4, 5])
        #expect(slots(result, 4) == [2, 3, 4, 5])
        #expect(result.slotCount == 6)
        #expect(result.firstTrainId == 10_000)
        #expect(result.warnings.contains { $0.contains("channel 4: starts at train 10002") })
    }

    @Test("A channel starting after its first sequence ends has an empty first file")
    func lateBeyondFirstSequence() throws {
        let input = try SimulatedInput("pre-late-empty") {
            $0.channels = [0, 1]; $0.trains = 4; $0.sequences = 2; $0.lateChannels = [1: 2]
        }
        let result = try preprocess(input, channels: [0, 1])
        let sequences = try #require(result.channel(1)?.sequences)
        #expect(sequences.map(\.slots) == [[], [2, 3]])
        #expect(slots(result, 0) == [0, 1, 2, 3])
        #expect(result.slotCount == 4)
    }

    @Test("Bogus train ids are skipped and listed, also as the last train")
    func outliers() throws {
        let input = try SimulatedInput("pre-outlier") { $0.trains = 8; $0.outlierTrains = [3, 7] }
        let result = try preprocess(input, channels: [0])
        let channel = try #require(result.channel(0))
        #expect(channel.outlierTrainIds == [1_010_003, 1_010_007])
        #expect(slots(result, 0) == [0, 1, 2, -1, 4, 5, 6, -1])
        // The span ends at the last good train; the bogus ids do not stretch it.
        #expect(result.slotCount == 7)
    }

    @Test("A channel without files is reported, not fatal")
    func missingChannel() throws {
        let input = try SimulatedInput("pre-missing") { $0.channels = [0, 1, 2]; $0.missingChannels = [1] }
        let result = try preprocess(input, channels: [0, 1, 2])
        #expect(result.missingChannels == [1])
        #expect(result.channels.map(\.channel) == [0, 2])
        #expect(result.warnings.contains { $0.contains("channel 1: no raw files RAW-R0007-AGIPD01-S*.h5") })
    }

    @Test("Channel 0 missing does not stop the other channels, layout and cells come from them")
    func channelZeroMissing() throws {
        let input = try SimulatedInput("pre-ch0") {
            $0.channels = [0, 5, 11]; $0.missingChannels = [0]; $0.layout = .y2017; $0.cells = 3
        }
        let result = try preprocess(input, channels: [0, 5, 11])
        #expect(result.missingChannels == [0])
        #expect(result.layout == .y2017)
        #expect(result.cells == 3)
        #expect(slots(result, 11) == [0, 1, 2, 3])
    }

    @Test("Several sequences continue the slots across files")
    func severalSequences() throws {
        let input = try SimulatedInput("pre-seqs") { $0.channels = [0, 1]; $0.trains = 7; $0.sequences = 3; $0.lostTrains = [3] }
        let result = try preprocess(input, channels: [0, 1])
        let sequences = try #require(result.channel(1)?.sequences)
        #expect(sequences.map(\.sequence) == [0, 1, 2])
        #expect(sequences.map(\.file) == (0..<3).map { "RAW-R0007-AGIPD01-S0000\($0).h5" })
        // Trains 0–2, 3–4 and 5–6 per file (train index × 3 / 7); train 3 is lost.
        #expect(sequences.map(\.slots) == [[0, 1, 2], [4], [5, 6]])
        #expect(sequences.map(\.firstFrames) == [[0, 2, 4], [0], [0, 2]])
        #expect(result.slotCount == 7)
    }

    @Test("The 2017 layout is detected and read, interleaved frames halve the cells")
    func layout2017() throws {
        let input = try SimulatedInput("pre-2017") {
            $0.layout = .y2017; $0.trains = 5; $0.cells = 3; $0.interleaved = true; $0.lostTrains = [1]
        }
        let result = try preprocess(input, channels: [0], interleaved: true)
        #expect(result.layout == .y2017)
        #expect(result.interleaved)
        #expect(result.cells == 3)
        let sequence = try #require(result.channel(0)?.sequences.first)
        #expect(sequence.slots == [0, 2, 3, 4])
        #expect(sequence.counts == [6, 6, 6, 6])
        #expect(sequence.firstFrames == [0, 6, 12, 18])
        #expect(result.slotCount == 5)
    }

    @Test("Channels are found by number whatever other channels exist")
    func channelSubset() throws {
        let input = try SimulatedInput("pre-subset") { $0.channels = [2, 3, 14]; $0.lateChannels = [14: 1] }
        let result = try preprocess(input, channels: [14])
        #expect(result.channels.map(\.channel) == [14])
        // Only channel 14 is asked for, so its first train is slot 0.
        #expect(result.firstTrainId == 10_001)
        #expect(slots(result, 14) == [0, 1, 2])
    }
}
