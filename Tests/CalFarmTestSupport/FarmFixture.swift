import Farm
import FarmContract
import Foundation
import HDF5
import Simulator

/// A simulated XFEL dark and a private state database, for driving the controller end to end
/// with the local executor (real worker processes, real libhdf5, real SQLite).
public struct FarmFixture {
    public let dir: TemporaryDirectory
    public let inputDir: String
    public let simulation: XFELDarkSimulation

    public init(channels: [Int] = [0, 8], trains: Int = 6, cells: Int = 3, sequences: Int = 2,
         configure: (inout XFELDarkSimulation.Options) -> Void = { _ in }) throws {
        dir = try TemporaryDirectory("calfarm-e2e")
        inputDir = dir.file("in")
        var options = XFELDarkSimulation.Options()
        options.runs = [11, 12, 13]
        options.channels = channels
        options.trains = trains
        options.cells = cells
        options.sequences = sequences
        options.seed = 7
        configure(&options)
        simulation = XFELDarkSimulation(options: options)
        try simulation.write(to: inputDir)
    }

    /// A controller with its own database and CALFARM_HOME; `extra` adds variables (CALFARM_FAULT).
    public func farm(_ extra: [String: String] = [:], database: String = "calfarm.sqlite") throws -> Farm {
        try dir.farm(extra, database: database)
    }

    public func options(output: String, executor: ExecutorKind = .local, overrides: [String] = []) -> SubmitOptions {
        SubmitOptions(measurement: .dark, inputDir: inputDir, outputDir: dir.file(output), runs: simulation.options.runs,
                      channels: simulation.options.channels,
                      overrides: ["process.n_jobs=2", "local.workers=2"] + overrides, executor: executor)
    }

    public func joinedPath(output: String) -> String {
        ProductPaths(inputDir: inputDir, outputDir: dir.file(output), measurement: .dark)
            .joinedAGIPD(runs: simulation.options.runs)
    }

    /// A dataset of the joined AGIPD file as Int64 (offset, gainlevel_mean) or Double.
    public static func read<T: HDF5Scalar>(_ path: String, _ dataset: String, as type: T.Type) throws -> [T] {
        let file = try File.open(path)
        defer { try? file.close() }
        return try file.root.dataset(dataset).read(type)
    }
}

extension TemporaryDirectory {
    /// A controller whose database, HOME and CALFARM_HOME are in this directory, running the
    /// built worker; `extra` adds variables (CALFARM_FAULT).
    public func farm(_ extra: [String: String] = [:], database: String = "calfarm.sqlite") throws -> Farm {
        var environment = ["HOME": path, "CALFARM_HOME": file("home"),
                           "CALFARM_WORKER": try BuiltProducts.executable("calfarm-worker"),
                           "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        environment.merge(extra) { $1 }
        return try Farm(databasePath: file(database), environment: environment)
    }
}
