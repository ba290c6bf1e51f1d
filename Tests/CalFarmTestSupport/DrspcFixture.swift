import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// A simulated pulse-capacitor scan (channels of both wings) and a controller with its own database.
public struct DrspcFixture {
    public static let runs = Array(41...48)

    public let dir: TemporaryDirectory
    public var inputDir: String { dir.file("in") }
    public let simulation: XFELDrspcSimulation

    public init() throws {
        dir = try TemporaryDirectory("drspc-e2e")
        var options = XFELDrspcSimulation.Options()
        (options.runs, options.channels, options.trains, options.cells) = (Self.runs, [1, 14], 20, 2)
        (options.sequences, options.lostTrains, options.shuffleCells) = (2, [5], true)
        simulation = XFELDrspcSimulation(options: options)
        try simulation.write(to: inputDir)
    }

    public func farm(_ extra: [String: String] = [:]) throws -> Farm { try dir.farm(extra) }

    public func options(executor: ExecutorKind) -> SubmitOptions {
        SubmitOptions(measurement: .drspc, inputDir: inputDir, outputDir: dir.file("out"), runs: Self.runs,
                      channels: [1, 14],
                      overrides: ["process.n_jobs=2", "local.workers=2", "drspc.high_gain_window=2,8",
                                  "drspc.medium_gain_window=11,19"], executor: executor)
    }

    public var joined: String {
        ProductPaths(inputDir: inputDir, outputDir: dir.file("out"), measurement: .drspc).joinedAGIPD(runs: Self.runs)
    }

    /// Every fit succeeded and the high-gain slopes are those simulated.
    public func expectConstants(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = try File.open(joined)
        defer { try? file.close() }
        for channel in [1, 14] {
            let group = String(format: "channel%02d", channel)
            let status = try file.root.dataset("\(group)/fit_status").read(UInt8.self)
            #expect(status.count == 2 * 2 * 128 * 512 && status.allSatisfy { $0 == 0 }, sourceLocation: sourceLocation)
            let slope = try file.root.dataset("\(group)/slope").read(Double.self)
            var worst = 0.0
            for row in stride(from: 0, to: 128, by: 5) {
                for column in stride(from: 0, to: 512, by: 37) {
                    let truth = simulation.truth(channel: channel, cell: 1, row: row, column: column)
                    worst = max(worst, abs(slope[((0 * 2 + 1) * 128 + row) * 512 + column] - truth.slope[0]))
                }
            }
            #expect(worst < 6, "\(group): worst high-gain slope error (σ ≈ 1 ADU/step) \(worst) ADU/step", sourceLocation: sourceLocation)
        }
    }
}
