import AGIPD
import CalFarmTestSupport
import Calibration
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// Bad inputs to gather and dark process fail with a message naming the file or runs; edge
/// cases that are not errors still produce products.
@Suite struct GatherErrorTests {
    static let detector = "MID_DET_AGIPD1M-1"

    /// A hand-made raw file (image/data of `shape`, zero data) and a preprocess result placing
    /// its frames as one train at slot 0.
    static func handMadeRun(shape: [Int], cellIds: [UInt16], cells: Int) throws -> (TemporaryDirectory, TemporaryDirectory, String) {
        let input = try TemporaryDirectory("raw-hand"), output = try TemporaryDirectory("out-hand")
        let paths = ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .dark)
        let name = ProductPaths.rawFileName(run: 5, channel: 0, sequence: 0)
        try FileManager.default.createDirectory(atPath: paths.rawRunDir(run: 5), withIntermediateDirectories: true)
        let rawPath = paths.rawFile(run: 5, channel: 0, sequence: 0)
        let source = XFELSource(detectorString: detector, channel: 0)
        let file = try File.create(rawPath)
        _ = try file.root.createDataset(source.imageData, of: UInt16.self, shape: shape)
        try file.root.write(source.cellId, cellIds, shape: [cellIds.count, 1])
        try file.close()
        let sequence = PreprocessResult.Sequence(sequence: 0, file: name, indexOffset: 0, trainIds: [100], slots: [0],
                                                 firstFrames: [0], counts: [cellIds.count])
        let result = PreprocessResult(software: "test", run: 5, layout: .y2018, detectorString: detector, interleaved: false,
                                      cells: cells, slotCount: 1, firstTrainId: 100,
                                      channels: [PreprocessResult.Channel(channel: 0, sequences: [sequence])],
                                      missingChannels: [], warnings: [])
        try result.write(to: paths.preprocessResult(run: 5))
        return (input, output, rawPath)
    }

    static func gatherHandMade(_ input: TemporaryDirectory, _ output: TemporaryDirectory) throws -> StepReport {
        try Gather(inputDir: input.path, outputDir: output.path, run: 5, channel: 0, sequence: 0, detectorString: detector).run()
    }

    @Test func rawImageOfUnexpectedShapeIsAnErrorNamingTheFile() throws {
        let (input, output, rawPath) = try Self.handMadeRun(shape: [2, 2, 512, 64], cellIds: [0, 1], cells: 2)
        let text = try #require(message { try Self.gatherHandMade(input, output) })
        #expect(text.contains(rawPath) && text.contains("[2, 2, 512, 64]"))
        let gathered = ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .dark)
            .gathered(run: 5, channel: 0, sequence: 0)
        #expect(!FileManager.default.fileExists(atPath: gathered))
    }

    @Test func framesBeyondTheRunsCellsAreAnErrorNamingTheFile() throws {
        let (input, output, rawPath) = try Self.handMadeRun(shape: [2, 2, 512, 128], cellIds: [0, 5], cells: 2)
        let text = try #require(message { try Self.gatherHandMade(input, output) })
        #expect(text.contains(rawPath) && text.contains("cellId 5"))
        // Nothing half-written is left in the gather directory, not even the temporary file.
        let directory = ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .dark).measurementDir + "/r0005/gather"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).isEmpty)
    }

    @Test func handMadeRunGathersIntoTheDocumentedLayout() throws {
        let (input, output, _) = try Self.handMadeRun(shape: [2, 2, 512, 128], cellIds: [1, 0], cells: 2)
        let report = try Self.gatherHandMade(input, output)
        let path = try #require(report.outputs.first)
        #expect(try datasetShape(path, "analog") == [16, 1, 2, 64, 64])
        #expect(try datasetShape(path, "present") == [1, 2])
        #expect(try readDataset(path, "train_id", as: UInt64.self) == [100])
        #expect(report.metrics["framesRead"] == 2 && report.metrics["bytesRead"] == Double(2 * 2 * 512 * 128 * 2))
    }

    @Test func truncatedRawFileIsAnErrorNamingTheFile() throws {
        let pipeline = try GatherPipeline("trunc-raw") { o in o.trains = 4; o.cells = 2 }
        try pipeline.preprocess()
        let raw = pipeline.paths.rawFile(run: 819, channel: 0, sequence: 0)
        try Self.truncate(raw)
        let text = try #require(message { try pipeline.gather(channels: [0]) })
        #expect(text.contains(raw))
    }

    @Test func truncatedGatheredFileIsAnErrorNamingTheFile() throws {
        let pipeline = try GatherPipeline("trunc-gathered") { o in o.trains = 4; o.cells = 2 }
        try pipeline.preprocess()
        _ = try pipeline.gather(channels: [0])
        let gathered = pipeline.paths.gathered(run: 820, channel: 0, sequence: 0)
        try Self.truncate(gathered)
        let text = try #require(message { try pipeline.process(channel: 0, asics: [1]) })
        #expect(text.contains(gathered))
        #expect(!FileManager.default.fileExists(atPath: pipeline.paths.processed(runs: pipeline.runs, channel: 0, asic: 1)))
    }

    @Test func runsWithDifferentCellCountsAreAnErrorNamingTheRuns() throws {
        let pipeline = try GatherPipeline("cells-a") { o in o.trains = 4; o.cells = 2 }
        try pipeline.preprocess()
        _ = try pipeline.gather(channels: [0])
        // Replace run 820 by one taken with 3 cells.
        let other = try TemporaryDirectory("cells-b")
        var options = XFELDarkSimulation.Options()
        options.runs = [820]; options.trains = 4; options.cells = 3
        try XFELDarkSimulation(options: options).write(to: other.path)
        let result = try Preprocess(inputDir: other.path, run: 820, channels: [0], detectorString: options.detectorString).run()
        try result.write(to: pipeline.paths.preprocessResult(run: 820))
        _ = try Gather(inputDir: other.path, outputDir: pipeline.output.path, run: 820, channel: 0, sequence: 0,
                       detectorString: options.detectorString).run()
        let text = try #require(message { try pipeline.process(channel: 0, asics: [1]) })
        #expect(text.contains("run 819: 2 cells") && text.contains("run 820: 3 cells"))
    }

    @Test func darkWithTwoRunsIsRejected() throws {
        let output = try TemporaryDirectory("two-runs")
        let text = try #require(message {
            try DarkProcess(outputDir: output.path, runs: [1, 2], channel: 0, asics: [1], provenance: GatherPipeline.provenance).run()
        })
        #expect(text.contains("3 runs") && text.contains("[1, 2]"))
    }

    @Test func joinWithoutAnyProductIsAnError() throws {
        let output = try TemporaryDirectory("join-none")
        let text = try #require(message {
            try Join(outputDir: output.path, runs: [1, 2, 3], channels: [4], provenance: GatherPipeline.provenance).run()
        })
        #expect(text.contains("r0001-r0002-r0003"))
    }

    /// A channel that starts after its first sequence file ends has an empty gathered file.
    @Test func sequenceWithoutTrainsGivesAnEmptyGatheredFileAndProcessStillWorks() throws {
        let pipeline = try GatherPipeline("empty-seq") { o in
            o.channels = [0, 1]; o.trains = 4; o.cells = 2; o.sequences = 2; o.lateChannels = [1: 2]
        }
        let results = try pipeline.preprocess()
        let sequences = results[0].channel(1)?.sequences.map(\.sequence) ?? []
        _ = try pipeline.gather(channels: [1])
        if sequences.contains(0) {
            let reader = try GatheredSequenceReader(path: pipeline.paths.gathered(run: 819, channel: 1, sequence: 0))
            #expect(reader.header.slots == 0)
            try reader.close()
        }
        _ = try pipeline.process(channel: 1, asics: [3])
        let constants = try DarkConstants.read(from: pipeline.paths.processed(runs: pipeline.runs, channel: 1, asic: 3))
        #expect(constants.frameCount.allSatisfy { $0 == 2 })
    }

    static func truncate(_ path: String) throws {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
    }
}
