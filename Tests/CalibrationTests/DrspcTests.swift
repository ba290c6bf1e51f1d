import AGIPD
import CalFarmTestSupport
import Calibration
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// The pulse-capacitor scan (drspc) from simulated raw files to joined constants, against an
/// independent direct computation on the same frames.
@Suite("drspc: process and join against a direct computation", .serialized)
struct DrspcTests {
    static let windows = [2..<8, 11..<19]
    static let detector = "SPB_DET_AGIPD1M-1"
    static let provenance = Provenance(calfarmVersion: "0.0-test", request: "test", configuration: "")

    @Test("§6.2.5: run k fits local rows {7 − k + 8j} of ASICs 9–16 and {k + 8j} of ASICs 1–8, i.e. AGIPD rows 7 − k + 8j and 64 + k + 8j")
    func rowSelection() {
        for k in 0..<8 {
            let upper = (0..<8).map { 7 - k + 8 * $0 }, lower = (0..<8).map { 64 + k + 8 * $0 }
            #expect(DrspcRows.rows(run: k, upper: true) == upper, "run \(k), rows 0–63")
            #expect(DrspcRows.rows(run: k, upper: false).map { $0 + 64 } == lower, "run \(k), rows 64–127")
            for row in upper + lower { #expect(XFELDrspcSimulation.injectingRun(row: row) == k) }
        }
        // Every row of the module is fitted from exactly one run.
        let all = (0..<8).flatMap { k in DrspcRows.rows(run: k, upper: true) + DrspcRows.rows(run: k, upper: false).map { $0 + 64 } }
        #expect(all.sorted() == Array(0..<128))
    }

    final class Pipeline {
        let input: TemporaryDirectory, output: TemporaryDirectory
        let simulation: XFELDrspcSimulation
        var runs: [Int] { simulation.options.runs }
        var paths: ProductPaths { ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .drspc) }

        init(configure: (inout XFELDrspcSimulation.Options) -> Void = { _ in }) throws {
            var options = XFELDrspcSimulation.Options()
            options.runs = Array(31...38)
            options.channels = [3, 12]
            options.trains = 20
            options.cells = 2
            options.sequences = 2
            options.detectorString = DrspcTests.detector
            configure(&options)
            simulation = XFELDrspcSimulation(options: options)
            input = try TemporaryDirectory("drspc-in")
            output = try TemporaryDirectory("drspc-out")
            try simulation.write(to: input.path)
        }

        func preprocessAndGather() throws {
            for run in runs {
                let result = try Preprocess(inputDir: input.path, run: run, channels: simulation.options.channels,
                                            detectorString: "").run()
                try result.write(to: paths.preprocessResult(run: run))
                for channel in simulation.options.channels {
                    for sequence in result.channel(channel)?.sequences ?? [] {
                        _ = try Gather(inputDir: input.path, outputDir: output.path, measurement: .drspc, run: run,
                                       channel: channel, sequence: sequence.sequence, blockBytes: 2 << 20).run()
                    }
                }
            }
        }

        func process(runs order: [Int]? = nil, channel: Int, asics: [Int] = Array(1...16)) throws -> StepReport {
            try DrspcProcess(outputDir: output.path, runs: order ?? runs, channel: channel, asics: asics,
                             windows: DrspcTests.windows, provenance: DrspcTests.provenance, blockSlots: 3).run()
        }
    }

    @Test("joined constants of both wings equal the direct computation: lost and bogus trains, a late channel, shuffled cells, two sequences")
    func againstDirectComputation() throws {
        let pipeline = try Pipeline {
            $0.lostTrains = [4, 14]; $0.outlierTrains = [12]; $0.shuffleCells = true; $0.indexPadding = .all
            $0.lateChannels = [12: 3]
        }
        try pipeline.preprocessAndGather()
        for channel in [3, 12] { _ = try pipeline.process(channel: channel) }
        let join = try Join(outputDir: pipeline.output.path, measurement: .drspc, runs: pipeline.runs, channels: [3, 12],
                            provenance: Self.provenance).run()
        #expect(join.missing.isEmpty)
        let joined = pipeline.paths.joinedAGIPD(runs: pipeline.runs)
        let outliers: Set<UInt64> = [pipeline.simulation.options.firstTrainId + 12 + 1_000_000]
        for channel in [3, 12] {
            let group = String(format: "channel%02d", channel)
            let reference = try DrspcReference.compute(inputDir: pipeline.input.path, runs: pipeline.runs, channel: channel,
                                                       detector: Self.detector, cells: 2, windows: Self.windows,
                                                       excludedTrainIds: outliers,
                                                       firstTrainId: pipeline.simulation.options.firstTrainId)
            #expect(reference.frames.allSatisfy { $0 > 0 })
            let offset = try readAll(joined, "\(group)/offset", as: Int64.self)
            #expect(offset.shape == [2, 2, 128, 512])
            #expect(Self.differences(offset.values, reference.offset) == [], "\(group)/offset")
            let gain = try readAll(joined, "\(group)/gainlevel_mean", as: Int64.self).values
            #expect(Self.differences(gain, reference.gainLevel) == [], "\(group)/gainlevel_mean")
            let threshold = try readAll(joined, "\(group)/threshold", as: Double.self)
            #expect(threshold.shape == [1, 2, 128, 512])
            #expect(Self.differences(threshold.values, reference.threshold) == [], "\(group)/threshold")
            let slope = try readAll(joined, "\(group)/slope", as: Double.self).values
            let wrong = zip(slope, reference.slope).filter { abs($0 - $1) > 1e-9 * abs($1) }.count
            #expect(wrong == 0, "\(group)/slope: \(wrong) differ beyond 1e-9")
            #expect(try readAll(joined, "\(group)/fit_status", as: UInt8.self).values.allSatisfy { $0 == 0 })
            // And the fit finds the simulated lines (noise σ 4 ADU over 4–6 steps).
            for (row, column, cell) in [(0, 0, 0), (70, 300, 1), (127, 511, 0), (33, 64, 1)] {
                let truth = pipeline.simulation.truth(channel: channel, cell: cell, row: row, column: column)
                for stage in 0..<2 {
                    let value = slope[((stage * 2 + cell) * 128 + row) * 512 + column]
                    #expect(abs(value - truth.slope[stage]) < 6, "\(group) stage \(stage) (\(row), \(column)) cell \(cell)")
                }
            }
        }
    }

    /// The first few (index, ours, theirs) that differ, and how many (empty when equal).
    static func differences<T: Equatable>(_ ours: [T], _ theirs: [T]) -> [String] {
        guard ours.count == theirs.count else { return ["\(ours.count) values, expected \(theirs.count)"] }
        let wrong = ours.indices.filter { ours[$0] != theirs[$0] }
        return wrong.isEmpty ? [] : ["\(wrong.count) differ"] + wrong.prefix(3).map { "[\($0)] \(ours[$0]) vs \(theirs[$0])" }
    }

    @Test("runs given out of scan order fail loudly, naming the runs")
    func runsOutOfOrder() throws {
        let pipeline = try Pipeline { $0.channels = [3]; $0.trains = 19; $0.sequences = 1 }
        try pipeline.preprocessAndGather()
        let swapped = [pipeline.runs[1], pipeline.runs[0]] + pipeline.runs.dropFirst(2)
        let text = message { try pipeline.process(runs: swapped, channel: 3, asics: [1, 9]) }
        #expect(text?.contains("not in scan order") == true, "\(text ?? "no error")")
        #expect(text?.contains("run 32 (position 1)") == true && text?.contains("run 31 (position 2)") == true, "\(text ?? "")")
        #expect(!FileManager.default.fileExists(atPath: pipeline.paths.processed(runs: swapped, channel: 3, asic: 1)))
    }

    @Test("a window without frames is flagged in fit_status with NaN slopes, never a crash or a silent 0")
    func emptyWindow() throws {
        let pipeline = try Pipeline { $0.channels = [12]; $0.trains = 19; $0.sequences = 1; $0.lostTrains = Array(11..<19) }
        try pipeline.preprocessAndGather()
        let report = try pipeline.process(channel: 12, asics: [4])
        #expect(report.warnings.contains { $0.contains("flagged in fit_status") })
        let path = try #require(report.outputs.first)
        let status = try readAll(path, "fit_status", as: UInt8.self).values
        let slope = try readAll(path, "slope", as: Double.self).values
        let half = status.count / 2
        #expect(status[..<half].allSatisfy { $0 == 0 } && status[half...].allSatisfy { $0 == 2 })
        #expect(slope[half...].allSatisfy { $0.isNaN })
        #expect(try readAll(path, "threshold", as: Double.self).values.allSatisfy { $0.isNaN })
    }
}
