import AGIPD
import Calibration
import FarmContract
import Foundation
import Simulator

/// The simulated dark runs of the throughput measurements and the real worker steps over them:
/// one channel, three runs (high/medium/low gain), one raw sequence file per run.
struct CalibrationDataset {
    let root: String
    let runs: [Int]
    let channel: Int
    let trains: Int
    let cells: Int
    var gatherBlockBytes: Int?
    var processBlockBytes: Int?
    static let detectorString = "MID_DET_AGIPD1M-1"

    var inputDir: String { "\(root)/input" }
    var outputDir: String { "\(root)/output" }
    var paths: ProductPaths { ProductPaths(inputDir: inputDir, outputDir: outputDir, measurement: .dark) }

    func rawFiles(run: Int) -> [String] { [paths.rawFile(run: run, channel: channel, sequence: 0)] }
    var allRawFiles: [String] { runs.flatMap(rawFiles) }
    func gatheredFile(run: Int) -> String { paths.gathered(run: run, channel: channel, sequence: 0) }
    var gatheredFiles: [String] { runs.map(gatheredFile) }
    var processOutputs: [String] { (1...16).map { paths.processed(runs: runs, channel: channel, asic: $0) } }

    /// Jobs write fresh products in production; removing the previous ones before a timed job
    /// (untimed) keeps the cost of dropping a replaced file's pages out of the measurement.
    func removeProcessOutputs() { processOutputs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
    func removeGathered(run: Int) { try? FileManager.default.removeItem(atPath: gatheredFile(run: run)) }

    /// Writes the raw runs (XFEL 2018 layout) through the simulator.
    func simulate() throws {
        var options = XFELDarkSimulation.Options()
        options.runs = runs
        options.channels = [channel]
        options.trains = trains
        options.cells = cells
        options.sequences = 1
        options.seed = 7
        options.detectorString = Self.detectorString
        try XFELDarkSimulation(options: options).write(to: inputDir)
    }

    /// The preprocess step of every run, results written where gather and process look for them.
    func preprocess() throws {
        for run in runs {
            let result = try Preprocess(inputDir: inputDir, run: run, channels: [channel],
                                        detectorString: Self.detectorString).run()
            try result.write(to: paths.preprocessResult(run: run))
        }
    }

    /// One gather job: the run's only sequence file (the worker's default block size).
    @discardableResult
    func gather(run: Int) throws -> StepReport {
        var job = Gather(inputDir: inputDir, outputDir: outputDir, measurement: .dark, run: run, channel: channel,
                         sequence: 0, detectorString: Self.detectorString, software: CalFarmVersion.current)
        if let gatherBlockBytes { job.blockBytes = gatherBlockBytes }
        return try job.run()
    }

    /// One process job over all 16 ASICs of the channel (so its input is the whole gathered files).
    /// `mapped: false` reads every block through HDF5 instead of mapping the gathered files;
    /// `threads` > 1 splits the cells between threads (a job given that many CPUs).
    @discardableResult
    func process(mapped: Bool = true, threads: Int = 1) throws -> StepReport {
        var job = DarkProcess(outputDir: outputDir, runs: runs, channel: channel, asics: Array(1...16),
                              provenance: Self.provenance)
        if let processBlockBytes { job.blockBytes = processBlockBytes }
        if !mapped { job.mappedBlockBytes = 0 }
        job.threads = threads
        return try job.run()
    }

    static let provenance = Provenance(calfarmVersion: CalFarmVersion.current, request: "calfarm-bench",
                                       configuration: "benchmark: calibration\n")
}
