import AGIPD
import CalFarmTestSupport
import Calibration
import FarmContract
import Foundation
import HDF5
import Simulator

/// Simulated raw dark runs pushed through preprocess, gather, process and join in temporary
/// directories (removed with the value).
final class GatherPipeline {
    let input: TemporaryDirectory
    let output: TemporaryDirectory
    let options: XFELDarkSimulation.Options
    static let provenance = Provenance(calfarmVersion: "0.0-test", request: "test-request", configuration: "measurement: dark\n")

    init(_ label: String, configure: (inout XFELDarkSimulation.Options) -> Void) throws {
        var options = XFELDarkSimulation.Options()
        options.runs = [819, 820, 821]
        options.trains = 8
        options.cells = 3
        configure(&options)
        self.options = options
        input = try TemporaryDirectory("\(label)-in")
        output = try TemporaryDirectory("\(label)-out")
        try XFELDarkSimulation(options: options).write(to: input.path)
    }

    var paths: ProductPaths { ProductPaths(inputDir: input.path, outputDir: output.path, measurement: .dark) }
    var runs: [Int] { options.runs }

    /// Runs preprocess for every run over every simulated channel and stores the results.
    @discardableResult
    func preprocess() throws -> [PreprocessResult] {
        try runs.map { run in
            let result = try Preprocess(inputDir: input.path, run: run, channels: options.channels,
                                        detectorString: options.detectorString, interleaved: options.interleaved).run()
            try result.write(to: paths.preprocessResult(run: run))
            return result
        }
    }

    /// Gathers every sequence of `channels` in every run; a small block size forces several blocks.
    func gather(channels: [Int], blockBytes: Int = 3 << 20) throws -> [StepReport] {
        var reports: [StepReport] = []
        for run in runs {
            let result = try PreprocessResult.read(from: paths.preprocessResult(run: run))
            for channel in channels {
                for seq in result.channel(channel)?.sequences ?? [] {
                    reports.append(try Gather(inputDir: input.path, outputDir: output.path, run: run, channel: channel,
                                              sequence: seq.sequence, detectorString: options.detectorString,
                                              software: "0.0-test", blockBytes: blockBytes).run())
                }
            }
        }
        return reports
    }

    func process(channel: Int, asics: [Int], blockBytes: Int = 1 << 20) throws -> StepReport {
        try DarkProcess(outputDir: output.path, runs: runs, channel: channel, asics: asics,
                        provenance: Self.provenance, blockBytes: blockBytes).run()
    }

    func join(channels: [Int], asics: [Int] = ModuleGeometry.asicNumbers) throws -> StepReport {
        try Join(outputDir: output.path, runs: runs, channels: channels, asics: asics, provenance: Self.provenance).run()
    }
}

/// Reads a whole dataset (tests only: allocates).
func readAll<T: HDF5Scalar>(_ path: String, _ name: String, as type: T.Type) throws -> (values: [T], shape: [Int]) {
    let file = try File.open(path)
    defer { try? file.close() }
    let dataset = try file.root.dataset(name)
    return (try dataset.read(T.self), dataset.shape)
}

/// The text of an error as a user sees it.
func message(of body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch { return String(describing: error) }
}
