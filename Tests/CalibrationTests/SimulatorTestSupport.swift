import CalFarmTestSupport
import HDF5
import Simulator

/// A simulated run in a temporary directory (removed with the value).
struct SimulatedInput {
    let directory: TemporaryDirectory
    let simulation: XFELDarkSimulation
    var inputDir: String { directory.path }

    /// Small defaults so debug-build tests stay fast: one run, one channel, 4 trains, 2 cells.
    init(_ label: String = "sim", configure: (inout XFELDarkSimulation.Options) -> Void = { _ in }) throws {
        var options = XFELDarkSimulation.Options()
        options.runs = [7]
        options.trains = 4
        options.cells = 2
        configure(&options)
        directory = try TemporaryDirectory(label)
        simulation = XFELDarkSimulation(options: options)
        try simulation.write(to: directory.path)
    }

    func rawPath(run: Int, channel: Int, sequence: Int = 0) -> String {
        XFELDarkSimulation.rawRunDirectory(inputDir: inputDir, run: run) + "/"
            + XFELDarkSimulation.rawFileName(run: run, channel: channel, sequence: sequence)
    }

    var truthPath: String { XFELDarkSimulation.truthPath(inputDir: inputDir) }
}

/// Reads a whole dataset of a file (tests only: allocates).
func readDataset<T: HDF5Scalar>(_ path: String, _ name: String, as type: T.Type) throws -> [T] {
    let file = try File.open(path)
    defer { try? file.close() }
    return try file.root.dataset(name).read(T.self)
}

func datasetShape(_ path: String, _ name: String) throws -> [Int] {
    let file = try File.open(path)
    defer { try? file.close() }
    return try file.root.dataset(name).shape
}
