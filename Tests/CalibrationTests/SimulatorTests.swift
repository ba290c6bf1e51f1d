import AGIPD
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

@Suite("Simulator: raw files and truth")
struct SimulatorTests {
    @Test("The same seed writes the same frames and truth; another seed does not")
    func determinism() throws {
        let configure: (inout XFELDarkSimulation.Options) -> Void = { $0.channels = [0, 9]; $0.trains = 3 }
        let a = try SimulatedInput("sim-a", configure: configure)
        let b = try SimulatedInput("sim-b", configure: configure)
        let c = try SimulatedInput("sim-c") { configure(&$0); $0.seed = 2 }
        for channel in [0, 9] {
            let source = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: channel)
            let dataA = try readDataset(a.rawPath(run: 7, channel: channel), source.imageData, as: UInt16.self)
            let dataB = try readDataset(b.rawPath(run: 7, channel: channel), source.imageData, as: UInt16.self)
            let dataC = try readDataset(c.rawPath(run: 7, channel: channel), source.imageData, as: UInt16.self)
            #expect(dataA.count == 3 * 2 * 2 * 512 * 128)
            #expect(dataA == dataB)
            #expect(dataA != dataC)
        }
        let truthA = try readDataset(a.truthPath, "channel09/offset", as: Double.self)
        #expect(truthA == (try readDataset(b.truthPath, "channel09/offset", as: Double.self)))
        #expect(truthA != (try readDataset(c.truthPath, "channel09/offset", as: Double.self)))
    }

    @Test("Digital values sit at the truth gain level of the mapped AGIPD pixel, in both wings")
    func orientation() throws {
        // Without digital noise the digital plane is round(gain level) exactly, which pins
        // every pixel's position: wing 1 a[r][c] = x[511−c][r], wing 2 a[r][c] = x[c][127−r].
        let input = try SimulatedInput("sim-orient") { $0.channels = [3, 12]; $0.trains = 1; $0.digitalNoise = 0 }
        for channel in [3, 12] {
            let source = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: channel)
            let raw = try readDataset(input.rawPath(run: 7, channel: channel), source.imageData, as: UInt16.self)
            let gain = try readDataset(input.truthPath, "channel\(channel < 10 ? "0" : "")\(channel)/gainlevel", as: Double.self)
            let offset = try readDataset(input.truthPath, "channel\(channel < 10 ? "0" : "")\(channel)/offset", as: Double.self)
            let noise = try readDataset(input.truthPath, "channel\(channel < 10 ? "0" : "")\(channel)/noise", as: Double.self)
            #expect(gain.count == 1 * 2 * 128 * 512)
            var mismatches = 0, analogOutliers = 0
            for cell in 0..<2 {
                for x in 0..<512 {
                    for y in 0..<128 {
                        let (r, c) = channel < 8 ? (y, 511 - x) : (127 - y, x)
                        let t = cell * 65536 + r * 512 + c
                        let analog = Double(raw[(cell * 2 + 0) * 65536 + x * 128 + y])
                        let digital = Double(raw[(cell * 2 + 1) * 65536 + x * 128 + y])
                        if digital != gain[t].rounded() { mismatches += 1 }
                        if abs(analog - offset[t]) > 6 * noise[t] + 0.5 { analogOutliers += 1 }
                    }
                }
            }
            #expect(mismatches == 0, "channel \(channel)")
            #expect(analogOutliers == 0, "channel \(channel)")
        }
        // Named corners: XFEL (0,0) is AGIPD (0,511) in wing 1 and (127,0) in wing 2.
        let sim = input.simulation
        let corner1 = try readDataset(input.rawPath(run: 7, channel: 3), XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 3).imageData, as: UInt16.self)
        #expect(Double(corner1[65536]) == sim.truth(channel: 3, stage: 0, cell: 0, row: 0, column: 511).gainLevel.rounded())
        let corner2 = try readDataset(input.rawPath(run: 7, channel: 12), XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 12).imageData, as: UInt16.self)
        #expect(Double(corner2[65536]) == sim.truth(channel: 12, stage: 0, cell: 0, row: 127, column: 0).gainLevel.rounded())
    }

    @Test("Analog means over many trains converge to the truth offset and noise")
    func statistics() throws {
        let input = try SimulatedInput("sim-stats") { $0.trains = 200; $0.cells = 1 }
        let source = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 0)
        let file = try File.open(input.rawPath(run: 7, channel: 0))
        defer { try? file.close() }
        let data = try file.root.dataset(source.imageData)
        for (x, y) in [(0, 0), (100, 17), (511, 127), (300, 64)] {
            let samples = try data.read(UInt16.self, selection: Hyperslab(start: [0, 0, x, y], count: [200, 2, 1, 1]))
            let analog = stride(from: 0, to: 400, by: 2).map { Double(samples[$0]) }
            let digital = stride(from: 1, to: 400, by: 2).map { Double(samples[$0]) }
            let truth = input.simulation.truth(channel: 0, stage: 0, cell: 0, row: y, column: 511 - x)
            let mean = analog.reduce(0, +) / 200
            let std = (analog.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 199).squareRoot()
            #expect(abs(mean - truth.offset) < 5 * truth.noise / 200.0.squareRoot() + 0.5, "pixel (\(x),\(y))")
            #expect(abs(std / truth.noise - 1) < 0.3, "pixel (\(x),\(y))")
            let digitalMean = digital.reduce(0, +) / 200
            #expect(abs(digitalMean - truth.gainLevel) < 5 * 20 / 200.0.squareRoot() + 0.5, "pixel (\(x),\(y))")
        }
    }

    @Test("Files follow the 2018 DAQ layout: padded INDEX, frame arrays, headers, metadata")
    func layout2018() throws {
        let input = try SimulatedInput("sim-layout") {
            $0.trains = 5; $0.cells = 3; $0.firstTrainId = 500; $0.indexPadding = .all
        }
        let path = input.rawPath(run: 7, channel: 0)
        let s = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 0)
        #expect(path.hasSuffix("/raw/r0007/RAW-R0007-AGIPD00-S00000.h5"))
        #expect(try readDataset(path, XFELSource.indexTrainId, as: UInt64.self)
            == [500, 501, 502, 503, 504] + [UInt64](repeating: 0, count: 11))
        #expect(try readDataset(path, s.indexFirst, as: UInt64.self).prefix(5) == [0, 3, 6, 9, 12])
        #expect(try readDataset(path, s.indexCount, as: UInt64.self) == [3, 3, 3, 3, 3] + [UInt64](repeating: 0, count: 11))
        #expect(try datasetShape(path, s.imageData) == [15, 2, 512, 128])
        #expect(try datasetShape(path, s.cellId) == [15, 1])
        #expect(try readDataset(path, s.cellId, as: UInt16.self) == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(try readDataset(path, s.frameTrainId, as: UInt64.self) == [500, 501, 502, 503, 504].flatMap { [$0, $0, $0] })
        #expect(try readDataset(path, s.headerPulseCount, as: UInt64.self).prefix(6) == [3, 3, 3, 3, 3, 0])
        #expect(try readDataset(path, s.trailerTrainId, as: UInt64.self).prefix(5) == [500, 501, 502, 503, 504])
        let file = try File.open(path)
        defer { try? file.close() }
        #expect(!file.root.exists(s.indexLast))
        #expect(try file.root.readStrings("METADATA/dataSources/dataSourceId") == s.dataSourceIds)
        #expect(try file.root.readStrings(XFELSource.metadataFormatVersion) == ["1.0"])
        #expect(try file.root.dataset("METADATA/runNumber").read(UInt32.self) == [7])
    }

    @Test("every INDEX padding variant: INDEX/trainId padded or not, per-source arrays padded or not",
          arguments: XFELIndexPadding.allCases)
    func indexPadding(_ padding: XFELIndexPadding) throws {
        let input = try SimulatedInput("sim-padding") { $0.trains = 5; $0.cells = 3; $0.indexPadding = padding }
        let path = input.rawPath(run: 7, channel: 0)
        let s = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 0)
        let trainRows = padding == .none ? 5 : 16
        let sourceRows = padding == .all ? 16 : 5
        #expect(try datasetShape(path, XFELSource.indexTrainId) == [trainRows])
        #expect(try datasetShape(path, XFELSource.indexFlag) == [trainRows])
        for group in XFELSource.outputGroups {
            #expect(try datasetShape(path, "\(s.indexGroup(group))/first") == [sourceRows])
            #expect(try datasetShape(path, "\(s.indexGroup(group))/count") == [sourceRows])
        }
        #expect(try readDataset(path, s.indexCount, as: UInt64.self).prefix(6) == [3, 3, 3, 3, 3] + (padding == .all ? [0] : []))
    }

    @Test("The 2017 layout has first/last/status and no count")
    func layout2017() throws {
        let input = try SimulatedInput("sim-2017") { $0.layout = .y2017; $0.trains = 3; $0.cells = 2; $0.indexPadding = .all }
        let path = input.rawPath(run: 7, channel: 0)
        let s = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 0)
        let file = try File.open(path)
        defer { try? file.close() }
        #expect(file.root.exists(s.indexLast))
        #expect(!file.root.exists(s.indexCount))
        #expect(try file.root.dataset(s.indexLast).read(UInt64.self).prefix(4) == [1, 3, 5, 0])
        #expect(try file.root.dataset(s.indexStatus).read(UInt32.self).prefix(4) == [1, 1, 1, 0])
        #expect(try file.root.dataset(s.headerTrainId).read(UInt64.self).prefix(4) == [10_000, 10_001, 10_002, 0])
        #expect(try file.root.readStrings("METADATA/dataSourceId") == s.dataSourceIds)
    }

    @Test("Lost, bogus and late trains, missing channels and sequences land where the options say")
    func anomalies() throws {
        let input = try SimulatedInput("sim-anomalies") {
            $0.channels = [0, 1, 2]; $0.trains = 9; $0.sequences = 3; $0.lostTrains = [4]
            $0.outlierTrains = [7]; $0.missingChannels = [2]; $0.lateChannels = [1: 2]
        }
        let ids = { (channel: Int, seq: Int) -> [UInt64] in
            try readDataset(input.rawPath(run: 7, channel: channel, sequence: seq), XFELSource.indexTrainId, as: UInt64.self)
                .filter { $0 != 0 }
        }
        #expect(try ids(0, 0) == [10_000, 10_001, 10_002])
        #expect(try ids(0, 1) == [10_003, 10_005])
        #expect(try ids(0, 2) == [10_006, 1_010_007, 10_008])
        #expect(try ids(1, 0) == [10_002])
        #expect(!FileManager.default.fileExists(atPath: input.rawPath(run: 7, channel: 2)))
        let truth = try File.open(input.truthPath)
        defer { try? truth.close() }
        #expect(try truth.root.attributeArray("lostTrainIds", as: UInt64.self) == [10_004])
        #expect(try truth.root.attributeArray("outlierTrainIds", as: UInt64.self) == [1_010_007])
        #expect(try truth.root.attributeArray("missingChannels", as: Int64.self) == [2])
        #expect(try truth.root.attributeArray("runs", as: Int64.self) == [7])
        #expect(try truth.root.dataset("channel02/offset").shape == [1, 2, 128, 512])
        #expect(input.simulation.description.contains("lost trains (absent): [4]"))
    }

    @Test("A lost train in emptyCount mode is listed with count 0 and no frames")
    func emptyCountLoss() throws {
        let input = try SimulatedInput("sim-empty") { $0.trains = 4; $0.lostTrains = [1]; $0.lostTrainMode = .emptyCount }
        let path = input.rawPath(run: 7, channel: 0)
        let s = XFELSource(detectorString: "MID_DET_AGIPD1M-1", channel: 0)
        #expect(try readDataset(path, XFELSource.indexTrainId, as: UInt64.self).prefix(4) == [10_000, 10_001, 10_002, 10_003])
        #expect(try readDataset(path, s.indexCount, as: UInt64.self).prefix(4) == [2, 0, 2, 2])
        #expect(try readDataset(path, s.indexFirst, as: UInt64.self).prefix(4) == [0, 2, 2, 4])
        #expect(try datasetShape(path, s.imageData) == [6, 2, 512, 128])
    }

    @Test("Raw file names match the ones the planner and gather use")
    func fileNames() {
        for (run, channel, sequence) in [(7, 0, 0), (819, 15, 3), (1234, 9, 12)] {
            #expect(XFELDarkSimulation.rawFileName(run: run, channel: channel, sequence: sequence)
                == ProductPaths.rawFileName(run: run, channel: channel, sequence: sequence))
        }
        let paths = ProductPaths(inputDir: "/in", outputDir: "/out", measurement: .dark)
        #expect(XFELDarkSimulation.rawRunDirectory(inputDir: "/in", run: 7) == paths.rawRunDir(run: 7))
    }

    @Test("Invalid options are refused naming the option")
    func validation() throws {
        var options = XFELDarkSimulation.Options()
        options.channels = [16]
        #expect(throws: SimulationError.self) { try XFELDarkSimulation(options: options).validate() }
        options.channels = [0]; options.lostTrains = [10]
        do {
            try XFELDarkSimulation(options: options).validate()
            Issue.record("expected an error")
        } catch let error as SimulationError {
            #expect(error.description.contains("lostTrains"))
        }
    }
}
