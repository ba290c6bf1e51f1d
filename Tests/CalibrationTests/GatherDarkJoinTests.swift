import AGIPD
import Calibration
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// Gather → dark process → join on simulated raw runs, compared pixel by pixel against
/// `DarkReference`, an independent direct computation from the raw frames.
@Suite struct GatherDarkJoinTests {
    static let rows = 128, columns = 512

    /// Both wings (0, 8), a late channel, a lost train, an outlier train, three sequences, a
    /// missing channel (3) and a missing ASIC (channel 0, ASIC 5).
    @Test func constantsMatchADirectComputationFromTheRawFrames() throws {
        let pipeline = try GatherPipeline("e2e") { o in
            o.channels = [0, 3, 8]
            o.missingChannels = [3]
            o.lateChannels = [8: 2]
            o.trains = 9
            o.sequences = 3
            o.lostTrains = [4]
            o.outlierTrains = [7]
        }
        let o = pipeline.options
        let results = try pipeline.preprocess()
        #expect(results.allSatisfy { $0.missingChannels == [3] })
        let gatherReports = try pipeline.gather(channels: [0, 8])
        #expect(gatherReports.count == 2 * 3 * 3)
        #expect(gatherReports.contains { $0.warnings.contains { $0.contains("outlier") } })
        #expect(gatherReports.allSatisfy { $0.metrics["framesRead"]! > 0 })

        // The late channel's first file starts at slot 2; the lost train leaves slot 4 absent.
        let late = try GatheredSequenceReader(path: pipeline.paths.gathered(run: 819, channel: 8, sequence: 0))
        #expect(late.header.slotStart == 2 && late.header.slotEnd == 3)
        try late.close()
        let middle = try GatheredSequenceReader(path: pipeline.paths.gathered(run: 819, channel: 0, sequence: 1))
        #expect(middle.header.slotStart == 3 && middle.header.slotEnd == 6)
        #expect(try middle.readPresent() == [1, 1, 1, 0, 0, 0, 1, 1, 1])
        #expect(try middle.readTrainIds() == [10_003, 0, 10_005])
        try middle.close()

        let asics0 = ModuleGeometry.asicNumbers.filter { $0 != 5 }
        let process0 = try pipeline.process(channel: 0, asics: asics0, blockBytes: 100_000)
        #expect(process0.outputs.count == 15)
        _ = try pipeline.process(channel: 8, asics: ModuleGeometry.asicNumbers)
        let join = try pipeline.join(channels: [0, 3, 8])
        #expect(join.missing.contains(JobResult.Missing(channel: 0, asics: [5], reason: join.missing.first { $0.channel == 0 }?.reason ?? "")))
        #expect(join.missing.first { $0.channel == 3 }?.asics == ModuleGeometry.asicNumbers)
        #expect(join.outputs == [pipeline.paths.joinedAGIPD(runs: o.runs), pipeline.paths.joinedXFEL(runs: o.runs)])

        let outlierId = o.firstTrainId + 7 + o.outlierOffset
        for channel in [0, 8] {
            let group = "channel\(ProductPaths.pad(channel, 2))"
            let agipd = pipeline.paths.joinedAGIPD(runs: o.runs), xfel = pipeline.paths.joinedXFEL(runs: o.runs)
            let (offset, offsetShape) = try readAll(agipd, "\(group)/offset", as: Int64.self)
            let (gain, _) = try readAll(agipd, "\(group)/gainlevel_mean", as: Int64.self)
            let (stddev, _) = try readAll(agipd, "\(group)/stddev", as: Double.self)
            let (frameCount, _) = try readAll(agipd, "\(group)/frame_count", as: UInt32.self)
            let (threshold, thresholdShape) = try readAll(agipd, "\(group)/threshold", as: Double.self)
            let (mask, _) = try readAll(agipd, "\(group)/pixel_mask", as: UInt8.self)
            let (present, _) = try readAll(agipd, "\(group)/asic_present", as: UInt8.self)
            #expect(offsetShape == [3, o.cells, 128, 512] && thresholdShape == [2, o.cells, 128, 512])
            let file = try File.open(agipd)
            #expect(try file.root.dataset("\(group)/offset").elementTypeName == "int64")
            #expect(try file.root.dataset("\(group)/gainlevel_mean").elementTypeName == "int64")
            #expect(try file.root.group("\(group)/collection").readStrings("run_number") == ["r0819", "r0820", "r0821"])
            try file.close()
            let missingASIC = channel == 0 ? 5 : nil
            #expect(present == ModuleGeometry.asicNumbers.map { $0 == missingASIC ? 0 : 1 })

            let perStage = o.cells * 128 * 512
            var gainLevels: [[Int64]] = []
            for (stage, run) in o.runs.enumerated() {
                let reference = try DarkReference.compute(
                    rawDirectory: pipeline.paths.rawRunDir(run: run), run: run, channel: channel, detector: o.detectorString,
                    cells: o.cells, interleaved: false, excludedTrainIds: [outlierId])
                // 9 trains − lost − outlier (− 2 for the late channel).
                #expect(reference.frames == Array(repeating: channel == 8 ? 5 : 7, count: o.cells))
                gainLevels.append(reference.gainLevel)
                var mismatches = 0, worst = 0.0
                for cell in 0..<o.cells {
                    for r in 0..<128 {
                        for c in 0..<512 {
                            let i = cell * 128 * 512 + r * 512 + c, out = stage * perStage + i
                            let inMissing = missingASIC.map { r >= 64 && c >= 64 * ($0 - 1) && c < 64 * $0 } ?? false
                            if inMissing {
                                if offset[out] != 0 || gain[out] != 0 || !stddev[out].isNaN || frameCount[out] != 0
                                    || mask[r * 512 + c] != 1 { mismatches += 1 }
                                continue
                            }
                            if offset[out] != reference.offset[i] || gain[out] != reference.gainLevel[i]
                                || frameCount[out] != UInt32(reference.frames[cell]) || mask[r * 512 + c] != 0 {
                                mismatches += 1
                            }
                            worst = max(worst, abs(stddev[out] - reference.stddev[i]) / max(reference.stddev[i], 1e-300))
                        }
                    }
                }
                #expect(mismatches == 0, "channel \(channel) run \(run)")
                #expect(worst < 1e-9, "channel \(channel) run \(run)")
            }
            // Thresholds from the reference's truncated gain levels.
            var thresholdMismatches = 0
            for k in 0..<2 {
                for i in 0..<perStage {
                    let r = (i / 512) % 128, c = i % 512
                    if missingASIC.map({ r >= 64 && c >= 64 * ($0 - 1) && c < 64 * $0 }) ?? false { continue }
                    let expected = ((gainLevels[k][i] + gainLevels[k + 1][i]) as Int64).quotientAndRemainder(dividingBy: 2)
                    let floored = Double(expected.quotient - ((expected.remainder < 0) ? 1 : 0))
                    if threshold[k * perStage + i] != floored { thresholdMismatches += 1 }
                }
            }
            #expect(thresholdMismatches == 0)

            // XFEL file: x[X][Y] = a[Y][511−X] (wing 1), a[127−Y][X] (wing 2), for every key.
            let (xOffset, xShape) = try readAll(xfel, "\(group)/offset", as: Int64.self)
            let (xStddev, _) = try readAll(xfel, "\(group)/stddev", as: Double.self)
            let (xMask, xMaskShape) = try readAll(xfel, "\(group)/pixel_mask", as: UInt8.self)
            #expect(xShape == [3, o.cells, 512, 128] && xMaskShape == [512, 128])
            var xMismatches = 0
            for plane in 0..<(3 * o.cells) {
                for x in 0..<512 {
                    for y in 0..<128 {
                        let (r, c) = channel < 8 ? (y, 511 - x) : (127 - y, x)
                        let a = plane * 128 * 512 + r * 512 + c, xi = plane * 512 * 128 + x * 128 + y
                        let sameSigma = xStddev[xi] == stddev[a] || (xStddev[xi].isNaN && stddev[a].isNaN)
                        if xOffset[xi] != offset[a] || !sameSigma || (plane == 0 && xMask[x * 128 + y] != mask[r * 512 + c]) {
                            xMismatches += 1
                        }
                    }
                }
            }
            #expect(xMismatches == 0, "channel \(channel) XFEL conversion")
        }
        let xfelFile = try File.open(pipeline.paths.joinedXFEL(runs: o.runs))
        #expect(try xfelFile.root.children() == ["channel00", "channel08"])
        try xfelFile.close()

        // The two join units of a request (one file each) write what one join of both writes,
        // the XFEL file's bad-pixel mask computed in its own orientation included.
        let agipd = pipeline.paths.joinedAGIPD(runs: o.runs), xfel = pipeline.paths.joinedXFEL(runs: o.runs)
        let both = (agipd: agipd + ".both", xfel: xfel + ".both")
        try FileManager.default.moveItem(atPath: agipd, toPath: both.agipd)
        try FileManager.default.moveItem(atPath: xfel, toPath: both.xfel)
        for file in [JobSpec.JoinedFile.xfel, .agipd] {
            var one = Join(outputDir: pipeline.output.path, runs: o.runs, channels: [0, 3, 8], provenance: GatherPipeline.provenance)
            one.only = file
            let report = try one.run()
            #expect(report.outputs == [file == .xfel ? xfel : agipd])
            #expect(report.missing == join.missing)
        }
        func same<T: HDF5Scalar & Equatable>(_ name: String, _ type: T.Type) throws -> Bool {
            try readAll(agipd, name, as: T.self).values == readAll(both.agipd, name, as: T.self).values
                && readAll(xfel, name, as: T.self).values == readAll(both.xfel, name, as: T.self).values
        }
        func sameDoubles(_ name: String) throws -> Bool {
            try readAll(agipd, name, as: Double.self).values.map(\.bitPattern) == readAll(both.agipd, name, as: Double.self).values.map(\.bitPattern)
                && readAll(xfel, name, as: Double.self).values.map(\.bitPattern) == readAll(both.xfel, name, as: Double.self).values.map(\.bitPattern)
        }
        for group in ["channel00", "channel08"] {
            for name in ["offset", "gainlevel_mean"] { #expect(try same("\(group)/\(name)", Int64.self), "\(group)/\(name)") }
            for name in ["stddev", "threshold"] { #expect(try sameDoubles("\(group)/\(name)"), "\(group)/\(name)") }
            #expect(try same("\(group)/frame_count", UInt32.self))
            for name in ["asic_present", "pixel_mask", "bad_pixel_mask"] { #expect(try same("\(group)/\(name)", UInt8.self), "\(group)/\(name)") }
        }
        #expect(try readAll(xfel, "channel00/bad_pixel_mask", as: UInt8.self).values.contains { $0 != 0 })
    }

    /// 2017 layout, interleaved analog/digital frames, and a lost train listed with no frames.
    @Test func interleaved2017RunsWithAnEmptyTrainMatchTheDirectComputation() throws {
        let pipeline = try GatherPipeline("e2e2017") { o in
            o.channels = [9]
            o.layout = .y2017
            o.interleaved = true
            o.trains = 6
            o.cells = 2
            o.lostTrains = [2]
            o.lostTrainMode = .emptyCount
        }
        let o = pipeline.options
        try pipeline.preprocess()
        let reports = try pipeline.gather(channels: [9])
        #expect(reports.allSatisfy { $0.warnings.contains { $0.contains("lost") && $0.contains("10002") } })
        _ = try pipeline.process(channel: 9, asics: [1, 12])
        for asicNumber in [1, 12] {
            let asic = ASIC(asicNumber)!
            let constants = try DarkConstants.read(from: pipeline.paths.processed(runs: o.runs, channel: 9, asic: asicNumber))
            #expect(constants.collection.provenance == GatherPipeline.provenance)
            for (stage, run) in o.runs.enumerated() {
                let reference = try DarkReference.compute(
                    rawDirectory: pipeline.paths.rawRunDir(run: run), run: run, channel: 9, detector: o.detectorString,
                    cells: o.cells, interleaved: true, excludedTrainIds: [])
                #expect(reference.frames == [5, 5])
                var mismatches = 0
                for cell in 0..<o.cells {
                    for i in 0..<64 {
                        for j in 0..<64 {
                            let ref = cell * 128 * 512 + (asic.agipdRowStart + i) * 512 + asic.agipdColumnStart + j
                            let out = ((stage * o.cells + cell) * 64 + i) * 64 + j
                            if constants.offset[out] != reference.offset[ref] || constants.gainlevelMean[out] != reference.gainLevel[ref]
                                || abs(constants.stddev[out] - reference.stddev[ref]) > 1e-9 * reference.stddev[ref]
                                || constants.frameCount[out] != 5 { mismatches += 1 }
                        }
                    }
                }
                #expect(mismatches == 0, "ASIC \(asicNumber) run \(run)")
            }
        }
    }
}

@Suite("process reads the gathered files its spec names")
struct ExplicitProcessInputsTests {
    @Test("with gathered_sequences the process step needs no preprocess result; a named file that is missing is an error naming it")
    func explicitInputs() throws {
        let pipeline = try GatherPipeline("explicit") { $0.channels = [5]; $0.sequences = 2 }
        try pipeline.preprocess()
        _ = try pipeline.gather(channels: [5])
        for run in pipeline.runs { try FileManager.default.removeItem(atPath: pipeline.paths.preprocessResult(run: run)) }
        var process = DarkProcess(outputDir: pipeline.output.path, runs: pipeline.runs, channel: 5, asics: [3],
                                  provenance: GatherPipeline.provenance)
        #expect(message { try process.run() }?.contains("preprocess result") == true)
        process.gatheredInputs = GatheredInputs(sequences: pipeline.runs.map { (run: $0, sequences: [0, 1]) })
        let report = try process.run()
        #expect(report.outputs.count == 1)
        process.gatheredInputs = GatheredInputs(sequences: pipeline.runs.map { (run: $0, sequences: [0, 1, 2]) })
        let missing = pipeline.paths.gathered(run: pipeline.runs[0], channel: 5, sequence: 2)
        #expect(message { try process.run() }?.contains(missing) == true)
    }
}
