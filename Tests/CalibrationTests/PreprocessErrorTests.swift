import AGIPD
import Calibration
import CalFarmTestSupport
import Foundation
import HDF5
import Simulator
import Testing

@Suite("Preprocess: bad input gives errors that name the file")
struct PreprocessErrorTests {
    static let detector = "MID_DET_AGIPD1M-1"

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test("A missing run directory is an error naming it")
    func noRunDirectory() throws {
        let dir = try TemporaryDirectory("pre-norun")
        let text = message { _ = try Preprocess(inputDir: dir.path, run: 42, channels: [0], detectorString: Self.detector).run() }
        #expect(text?.contains("\(dir.path)/raw/r0042") == true, "\(text ?? "no error")")
    }

    @Test("A run directory without any requested channel is an error")
    func noChannelPresent() throws {
        let input = try SimulatedInput("pre-nochannel") { $0.channels = [0] }
        let text = message { _ = try Preprocess(inputDir: input.inputDir, run: 7, channels: [3, 4], detectorString: Self.detector).run() }
        #expect(text?.contains("raw files of run 7 for any of channels [3, 4]") == true, "\(text ?? "no error")")
    }

    @Test("A truncated file leaves its channel out with a warning naming the file; alone, it is an error naming the file")
    func truncatedFile() throws {
        let input = try SimulatedInput("pre-trunc") { $0.channels = [0, 1] }
        let path = input.rawPath(run: 7, channel: 1)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 4096)
        try handle.close()
        let result = try Preprocess(inputDir: input.inputDir, run: 7, channels: [0, 1], detectorString: Self.detector).run()
        #expect(result.channels.map(\.channel) == [0] && result.missingChannels == [1])
        #expect(result.warnings.contains { $0.hasPrefix("channel 1: left out") && $0.contains("RAW-R0007-AGIPD01-S00000.h5") },
                "\(result.warnings)")
        let text = message { _ = try Preprocess(inputDir: input.inputDir, run: 7, channels: [1], detectorString: Self.detector).run() }
        #expect(text?.contains("RAW-R0007-AGIPD01-S00000.h5") == true, "\(text ?? "no error")")
    }

    @Test("A wrong detector string is an error naming the file and what it holds")
    func wrongDetector() throws {
        let input = try SimulatedInput("pre-det")
        let text = message { _ = try Preprocess(inputDir: input.inputDir, run: 7, channels: [0], detectorString: "SPB_DET_AGIPD1M-1").run() }
        #expect(text?.contains("RAW-R0007-AGIPD00-S00000.h5") == true)
        #expect(text?.contains("no source INSTRUMENT/SPB_DET_AGIPD1M-1/DET/0CH0:xtdf") == true, "\(text ?? "no error")")
    }

    @Test("an INDEX array shorter than the trains of INDEX/trainId is an error naming file and dataset")
    func inconsistentIndex() throws {
        let dir = try TemporaryDirectory("pre-shape")
        let source = XFELSource(detectorString: Self.detector, channel: 0)
        let runDir = "\(dir.path)/raw/r0007"
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let path = "\(runDir)/RAW-R0007-AGIPD00-S00000.h5"
        let file = try File.create(path)
        try file.root.write(XFELSource.indexTrainId, [UInt64](10_000..<10_004), shape: [4])
        try file.root.write(source.indexFirst, [UInt64]([0, 1, 2, 3]), shape: [4])
        try file.root.write(source.indexCount, [UInt64]([1, 1, 1]), shape: [3])
        try file.root.write(source.cellId, [UInt16](repeating: 0, count: 4), shape: [4, 1])
        _ = try file.root.createDataset(source.imageData, of: UInt16.self, shape: [4, 2, 512, 128])
        try file.close()
        let text = message { _ = try Preprocess(inputDir: dir.path, run: 7, channels: [0], detectorString: Self.detector).run() }
        #expect(text?.contains(path) == true, "\(text ?? "no error")")
        #expect(text?.contains("\(source.indexCount) has 3 entries but INDEX/trainId lists 4 trains") == true,
                "\(text ?? "no error")")
    }

    @Test("Image data of the wrong shape is an error naming file and dataset")
    func wrongImageShape() throws {
        let dir = try TemporaryDirectory("pre-image")
        let source = XFELSource(detectorString: Self.detector, channel: 0)
        let runDir = "\(dir.path)/raw/r0007"
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let path = "\(runDir)/RAW-R0007-AGIPD00-S00000.h5"
        let file = try File.create(path)
        try file.root.write(XFELSource.indexTrainId, [UInt64]([10_000, 10_001]), shape: [2])
        try file.root.write(source.indexFirst, [UInt64]([0, 1]), shape: [2])
        try file.root.write(source.indexCount, [UInt64]([1, 1]), shape: [2])
        try file.root.write(source.cellId, [UInt16]([0, 0]), shape: [2, 1])
        _ = try file.root.createDataset(source.imageData, of: UInt16.self, shape: [2, 2, 128, 512])
        try file.close()
        let text = message { _ = try Preprocess(inputDir: dir.path, run: 7, channels: [0], detectorString: Self.detector).run() }
        #expect(text?.contains(path) == true)
        #expect(text?.contains("\(source.imageData) has shape [2, 2, 128, 512]") == true, "\(text ?? "no error")")
    }
}
