import AGIPD
import Calibration
import CalFarmTestSupport
import Foundation
import FarmContract
import Testing

@Suite("Preprocess: outlier rule and result file")
struct PreprocessTrainRulesTests {
    @Test("A bogus id inserted between consecutive ids is flagged (the original's case)")
    func insertedBogus() {
        #expect(PreprocessTrainRules.outliers([100, 101, 99_999, 102, 103]) == [false, false, true, false, false])
    }

    @Test("A bogus id replacing a real one is flagged, also next to a lost train")
    func replacedBogus() {
        #expect(PreprocessTrainRules.outliers([100, 101, 5_000_000, 103]) == [false, false, true, false])
        #expect(PreprocessTrainRules.outliers([100, 101, 5_000_000, 105, 106]) == [false, false, true, false, false])
    }

    @Test("A bogus first or last id is flagged without running off the end")
    func ends() {
        #expect(PreprocessTrainRules.outliers([7_000_000, 100, 101, 102]) == [true, false, false, false])
        #expect(PreprocessTrainRules.outliers([100, 101, 102, 1_000_102]) == [false, false, false, true])
    }

    @Test("A genuine long pause and short lists are not flagged")
    func notOutliers() {
        #expect(PreprocessTrainRules.outliers([100, 101, 5_000, 5_001, 5_002]) == [false, false, false, false, false])
        #expect(PreprocessTrainRules.outliers([100, 9_999_999]) == [false, false])
        #expect(PreprocessTrainRules.outliers([]) == [])
    }

    static let sample = PreprocessResult(
        software: "calfarm test", run: 819, layout: .y2018, detectorString: "MID_DET_AGIPD1M-1", interleaved: false,
        cells: 4, slotCount: 10, firstTrainId: 1000,
        channels: [.init(channel: 3, sequences: [.init(sequence: 0, file: "RAW-R0819-AGIPD03-S00000.h5", indexOffset: 0,
                                                         trainIds: [1000, 1002], slots: [0, 2], firstFrames: [0, 4], counts: [4, 4])],
                         outlierTrainIds: [1_001_001])],
        missingChannels: [5], warnings: ["channel 5: no raw files"])

    @Test("The result file round-trips as JSON with sorted keys and replaces atomically")
    func roundTrip() throws {
        let dir = try TemporaryDirectory("pre-json")
        let path = "\(dir.path)/r0819/R0819-preprocessing.json"
        try Self.sample.write(to: path)
        #expect(try PreprocessResult.read(from: path) == Self.sample)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let keys = ["cells", "channels", "detectorString", "firstTrainId", "formatVersion", "interleaved", "layout",
                    "missingChannels", "run", "slotCount", "software", "warnings"]
        let positions = keys.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
        var changed = Self.sample
        changed.slotCount = 11
        try changed.write(to: path)
        #expect(try PreprocessResult.read(from: path).slotCount == 11)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/r0819") == ["R0819-preprocessing.json"])
    }

    @Test("Reading a bad or future result file names the file")
    func readErrors() throws {
        let dir = try TemporaryDirectory("pre-json-bad")
        let missing = "\(dir.path)/none.json"
        #expect(throws: ContractError.self) { try PreprocessResult.read(from: missing) }
        let future = "\(dir.path)/future.json"
        try #"{"formatVersion": 99}"#.write(toFile: future, atomically: true, encoding: .utf8)
        do {
            _ = try PreprocessResult.read(from: future)
            Issue.record("expected an error")
        } catch let error as ContractError {
            #expect(error == .unsupportedVersion(path: future, found: 99, supported: 1))
            #expect(error.description.contains(future))
        }
        let broken = "\(dir.path)/broken.json"
        try #"{"formatVersion": 1, "run": "x"}"#.write(toFile: broken, atomically: true, encoding: .utf8)
        do {
            _ = try PreprocessResult.read(from: broken)
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).contains(broken))
        }
    }
}
