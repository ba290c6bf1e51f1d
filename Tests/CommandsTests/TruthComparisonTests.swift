import ArgumentParser
import CalFarmTestSupport
import Foundation
import HDF5
import Simulator
import Testing
@testable import ControllerCommands

/// A tiny truth file (2 cells, 3 stages, channels 0 and 8) and joined constants written by hand
/// with the HDF5 API, with switches for each way the constants can disagree.
private struct TruthFixture {
    static let cells = 2, pixels = 128 * 512, frames = 100
    let dir: TemporaryDirectory
    var truthPath: String { dir.file("truth.h5") }
    var constantsPath: String { dir.file("dark_joined_constants_agipd.h5") }

    init() throws { dir = try TemporaryDirectory("compare-truth") }

    static func truthOffset(_ i: Int) -> Double { 5000.25 + Double(i % 97) }
    static func truthNoise(_ i: Int) -> Double { 10 + Double(i % 7) }
    static func truthGain(_ i: Int, stage: Int) -> Double { 4500 + 2000 * Double(stage) + Double(i % 13) + 0.5 }

    /// Flat (stage, cell, pixel) values of one truth dataset.
    static func values(_ f: (_ i: Int, _ stage: Int) -> Double) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(3 * cells * pixels)
        for stage in 0..<3 { for cell in 0..<cells { for p in 0..<pixels { out.append(f(cell * pixels + p, stage)) } } }
        return out
    }

    func writeTruth(trains: Int = frames, lostTrains: [Int64] = [], channelsWithoutFiles: Set<Int> = []) throws {
        let file = try File.create(truthPath)
        let shape = [3, Self.cells, 128, 512]
        for channel in [0, 8] {
            let group = try file.root.createGroup(String(format: "channel%02d", channel))
            try group.setAttribute("hasFiles", Int64(channelsWithoutFiles.contains(channel) ? 0 : 1))
            try group.write("offset", Self.values { i, _ in Self.truthOffset(i) }, shape: shape)
            try group.write("noise", Self.values { i, _ in Self.truthNoise(i) }, shape: shape)
            try group.write("gainlevel", Self.values { i, stage in Self.truthGain(i, stage: stage) }, shape: shape)
        }
        try file.root.setAttribute("trains", Int64(trains))
        try file.root.setAttribute("stages", "high,medium,low")
        try file.root.setAttribute("digitalNoise", 20.0)
        if !lostTrains.isEmpty { try file.root.setAttribute("lostTrains", lostTrains) }
        try file.close()
    }

    /// Constants as a correct join would hold them: truncated truth, stddev at the median a
    /// population standard deviation of `frames` frames has.
    struct Constants {
        var channels = [0, 8]
        var offsetShift: [Int: Int64] = [:]
        var noiseFactor: [Int: Double] = [:]
        var missingASIC3: Set<Int> = []
        var withFrameCount = true
        var withStddev = true
        var cells = TruthFixture.cells
    }

    func writeConstants(_ c: Constants = Constants()) throws {
        let file = try File.create(constantsPath)
        let shape = [3, c.cells, 128, 512]
        let ratio = TruthComparison.expectedNoiseRatio(frames: Double(Self.frames))
        for channel in c.channels {
            let group = try file.root.createGroup(String(format: "channel%02d", channel))
            var mask = [UInt8](repeating: 0, count: Self.pixels)
            var present = [UInt8](repeating: 1, count: 16)
            if c.missingASIC3.contains(channel) {
                present[2] = 0
                for row in 0..<64 { for column in 128..<192 { mask[row * 512 + column] = 1 } }
            }
            func masked(_ i: Int) -> Bool { mask[i % Self.pixels] == 1 }
            let shift = c.offsetShift[channel] ?? 0, factor = c.noiseFactor[channel] ?? 1
            let count = 3 * c.cells * Self.pixels
            var offset = [Int64](), gain = [Int64](), stddev = [Double]()
            for index in 0..<count {
                let stage = index / (c.cells * Self.pixels), i = index % (c.cells * Self.pixels)
                offset.append(masked(i) ? 0 : Int64(Self.truthOffset(i)) + shift)
                gain.append(masked(i) ? 0 : Int64(Self.truthGain(i, stage: stage)))
                stddev.append(masked(i) ? .nan : Self.truthNoise(i) * ratio * factor)
            }
            try group.write("offset", offset, shape: shape)
            try group.write("gainlevel_mean", gain, shape: shape)
            if c.withStddev { try group.write("stddev", stddev, shape: shape) }
            if c.withFrameCount {
                try group.write("frame_count", (0..<count).map { masked($0 % (c.cells * Self.pixels)) ? UInt32(0) : UInt32(Self.frames) },
                                shape: shape)
            }
            try group.write("asic_present", present, shape: [16])
            try group.write("pixel_mask", mask, shape: [128, 512])
        }
        try file.close()
    }

    func compare(allowMissing: Bool = false) throws -> TruthComparison.Report {
        try TruthComparison(truthPath: truthPath, constantsPath: constantsPath, allowMissing: allowMissing).run()
    }
}

@Suite("compare-truth: joined constants against the simulator's truth")
struct TruthComparisonTests {
    @Test("constants equal to the truncated truth agree in every channel and stage")
    func agreeing() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants()

        let report = try fixture.compare()

        #expect(report.agrees)
        #expect(report.channels.map(\.channel) == [0, 8])
        let stages = report.channels.flatMap(\.stages)
        #expect(stages.map(\.stage) == ["high", "medium", "low", "high", "medium", "low"])
        for stage in stages {
            #expect(stage.agrees && stage.pixels == TruthFixture.cells * TruthFixture.pixels && stage.skipped == 0)
            #expect(stage.frames == 100)
            #expect(stage.offsetWithinFraction == 1)
            #expect(abs(stage.offsetMeanAbsDifference - 0.25) < 1e-9)  // truncation of x.25
            #expect(abs(stage.noiseMedianRatio - stage.expectedNoiseRatio) <= 0.001)
            #expect(abs(stage.gainLevelMeanAbsDifference - 0.5) < 1e-9)
        }
    }

    @Test("an offset 10 ADU off in channel 8 fails that channel only, and the command exits 1")
    func shiftedOffset() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants(.init(offsetShift: [8: 10]))

        let report = try fixture.compare()

        #expect(!report.agrees)
        #expect(report.channels.map(\.agrees) == [true, false])
        let high = try #require(report.channels.last?.stages.first)
        #expect(high.offsetWithinFraction == 0 && abs(high.offsetMeanAbsDifference - 9.75) < 1e-9)
        #expect(report.channels.last?.problems.first?.contains("offset within bound for 0.00%") == true)
        let command = try #require(try CalFarmCommand.parseAsRoot(
            ["compare-truth", "--truth", fixture.truthPath, "--constants", fixture.constantsPath]) as? CompareTruthCommand)
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test("noise twice the truth is reported as a noise-ratio problem")
    func doubledNoise() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants(.init(noiseFactor: [0: 2]))

        let report = try fixture.compare()

        let channel0 = try #require(report.channels.first)
        #expect(!channel0.agrees && report.channels[1].agrees)
        #expect(channel0.stages.allSatisfy { abs($0.noiseMedianRatio - 2 * $0.expectedNoiseRatio) < 0.002 })
        #expect(channel0.problems.contains { $0.contains("median noise ratio") })
    }

    @Test("a missing ASIC is counted from pixel_mask and asic_present; it fails unless missing data is allowed")
    func missingASIC() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants(.init(missingASIC3: [8]))

        let strict = try fixture.compare()
        let lenient = try fixture.compare(allowMissing: true)

        let channel8 = try #require(strict.channels.last)
        #expect(channel8.missingPixels == 64 * 64 && channel8.missingASICs == [3])
        #expect(channel8.stages.allSatisfy { $0.agrees && $0.skipped == TruthFixture.cells * 64 * 64 })
        #expect(!strict.agrees && !channel8.agrees)
        #expect(channel8.problems == ["4096 pixels masked (ASICs 3)"])
        #expect(lenient.agrees)
    }

    @Test("a channel without constants fails, unless the simulation wrote no files for it")
    func absentChannel() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants(.init(channels: [0]))
        let report = try fixture.compare()
        #expect(!report.agrees && report.absent == [8] && report.expectedAbsent.isEmpty)

        let simulatedMissing = try TruthFixture()
        try simulatedMissing.writeTruth(channelsWithoutFiles: [8])
        try simulatedMissing.writeConstants(.init(channels: [0]))
        let expected = try simulatedMissing.compare()
        #expect(expected.agrees && expected.absent.isEmpty && expected.expectedAbsent == [8])
    }

    @Test("without frame_count the frames come from the truth's trains minus lost trains")
    func framesFromTruth() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth(trains: 102, lostTrains: [4, 9])
        try fixture.writeConstants(.init(withFrameCount: false))

        let report = try fixture.compare()

        #expect(report.channels.flatMap(\.stages).allSatisfy { $0.frames == 100 })
        #expect(report.agrees)
    }

    @Test("unusable inputs name the file and dataset",
          arguments: ["no stddev", "wrong cells", "no truth file"])
    func badInput(problem: String) throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        switch problem {
        case "no stddev": try fixture.writeConstants(.init(withStddev: false))
        case "wrong cells": try fixture.writeConstants(.init(cells: 3))
        default: try fixture.writeConstants(); try FileManager.default.removeItem(atPath: fixture.truthPath)
        }
        #expect {
            try fixture.compare()
        } throws: { error in
            switch (problem, error as? TruthComparison.Error) {
            case let ("no stddev", .missingDataset(file, dataset)?): file == fixture.constantsPath && dataset == "channel00/stddev"
            case let ("wrong cells", .shapeMismatch(file, dataset, expected, found)?):
                file == fixture.constantsPath && dataset == "channel00/offset" && expected == [3, 2, 128, 512] && found == [3, 3, 128, 512]
            case let ("no truth file", .missingFile(path, role)?): path == fixture.truthPath && role == "truth"
            default: false
            }
        }
        #expect(CommandFailure.exitStatus(for: TruthComparison.Error.missingFile(path: "x", role: "truth")) == 2)
    }

    @Test("the table shows one row per channel and stage and the verdict")
    func table() throws {
        let fixture = try TruthFixture()
        try fixture.writeTruth()
        try fixture.writeConstants(.init(offsetShift: [8: 10]))

        let text = TruthComparisonTable(report: try fixture.compare()).render()

        let rows = text.split(separator: "\n").filter { $0.hasPrefix("00 ") || $0.hasPrefix("08 ") }
        #expect(rows.count == 6)
        #expect(rows.prefix(3).allSatisfy { $0.hasSuffix("ok") } && rows.suffix(3).allSatisfy { $0.hasSuffix("DIFFERS") })
        #expect(text.hasSuffix("result: DIFFERS (channels 8)"))
    }
}
