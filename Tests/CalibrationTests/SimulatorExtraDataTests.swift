import AGIPD
import Foundation
import HDF5
import Simulator
import Testing

/// The simulated files are only useful if European XFEL's own reader accepts them as a run.
@Suite("Simulator: EXtra-data reads the simulated runs")
struct SimulatorExtraDataTests {
    struct Module: Decodable {
        var shape: [Int]
        var frame_train_ids: [UInt64]
        var frame_sums: [Int]
        var cell_ids: [Int]
    }

    struct Seen: Decodable {
        var train_ids: [UInt64]
        var modules: [String: Module]
        var agipd_modules: [Int]
        var agipd_shape: [Int]
    }

    @Test("RunDirectory and AGIPD1M return the train ids and frames CalFarm reads", arguments: XFELLayoutVersion.allCases)
    func extraDataAgrees(layout: XFELLayoutVersion) throws {
        let input = try SimulatedInput("sim-extra") {
            $0.layout = layout; $0.channels = [0, 9]; $0.trains = 5; $0.cells = 3; $0.sequences = 2
            $0.lostTrains = [2]; $0.detectorString = "SPB_DET_AGIPD1M-1"
        }
        let runDir = XFELDarkSimulation.rawRunDirectory(inputDir: input.inputDir, run: 7)
        let seen = try Self.runExtraData(runDir)

        #expect(seen.train_ids == [10_000, 10_001, 10_003, 10_004])
        #expect(seen.agipd_modules == [0, 9])
        // (module, train, pulse, data/gain, slow, fast): 4 trains with data × 3 cells.
        #expect(seen.agipd_shape == [2, 4, 3, 2, 512, 128])
        for channel in [0, 9] {
            let source = XFELSource(detectorString: "SPB_DET_AGIPD1M-1", channel: channel)
            let module = try #require(seen.modules[source.sourceName], "EXtra-data lists \(seen.modules.keys.sorted())")
            var frameTrainIds: [UInt64] = [], sums: [Int] = [], cells: [Int] = []
            for sequence in 0..<2 {
                let path = input.rawPath(run: 7, channel: channel, sequence: sequence)
                frameTrainIds += try readDataset(path, source.frameTrainId, as: UInt64.self)
                cells += try readDataset(path, source.cellId, as: UInt16.self).map(Int.init)
                let data = try readDataset(path, source.imageData, as: UInt16.self)
                let frameSize = 2 * 512 * 128
                for frame in 0..<(data.count / frameSize) {
                    sums.append(data[(frame * frameSize)..<((frame + 1) * frameSize)].reduce(0) { $0 + Int($1) })
                }
            }
            #expect(module.shape == [12, 2, 512, 128])
            #expect(module.frame_train_ids == frameTrainIds)
            #expect(module.frame_sums == sums)
            #expect(module.cell_ids == cells)
        }
    }

    /// Runs Scripts/extra_data_read.py and decodes its JSON; fails with the fix if extra_data is missing.
    static func runExtraData(_ runDir: String) throws -> Seen {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/extra_data_read.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, runDir]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 {
            Issue.record("EXtra-data is needed for this test: run `python3 -m pip install extra-data` (\(err))")
        }
        try #require(process.terminationStatus == 0, "extra_data_read.py failed: \(err)")
        return try JSONDecoder().decode(Seen.self, from: out)
    }
}
