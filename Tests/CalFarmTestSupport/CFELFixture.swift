import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// A simulated CFEL module (`CFELSimulation`) and a controller with its own database.
public struct CFELFixture {
    public let dir: TemporaryDirectory
    public let simulation: CFELSimulation
    public var inputDir: String { dir.file("in") }
    public var outputDir: String { dir.file("out") }
    public var options: CFELSimulation.Options { simulation.options }

    public init(_ name: String = "cfel", _ configure: (inout CFELSimulation.Options) -> Void) throws {
        dir = try TemporaryDirectory(name)
        var options = CFELSimulation.Options()
        configure(&options)
        simulation = CFELSimulation(options: options)
        try simulation.write(to: dir.file("in"))
    }

    /// The directory holding the parts.
    public var rawDirectory: String {
        var layout = simulation.layout
        layout.inputDir = inputDir
        return layout.directory
    }

    public func farm(_ extra: [String: String] = [:]) throws -> Farm { try dir.farm(extra) }

    /// A request for the simulated module; `runs` nil lets the controller find them by name.
    public func submitOptions(runs: [Int]?, executor: ExecutorKind = .local, output: String? = nil,
                              overrides: [String] = []) -> SubmitOptions {
        let o = options
        var extra = ["process.n_jobs=2", "local.workers=2", "general.cells=\(o.cells)"]
        if o.measurement == .xray { extra.append("xray.element=\(o.spec ?? "Cu")") }
        return SubmitOptions(facility: .cfel, measurement: o.measurement, inputDir: inputDir, outputDir: output ?? outputDir,
                             runs: runs, module: o.module, temperature: o.temperature, overrides: extra + overrides,
                             executor: executor)
    }

    /// The joined module file of a request into `output`.
    public func joined(output: String? = nil) -> String {
        let o = options
        let spec = o.spec ?? [.dark: "tint150ns", .xray: "Cu"][o.measurement]
        let paths = ProductPaths(inputDir: inputDir, outputDir: output ?? outputDir, measurement: o.measurement,
                                 cfel: .init(module: o.module, temperature: o.temperature, spec: spec))
        return paths.joinedModule(runs: o.runs)!
    }

    /// `Scripts/cfel_direct.py`: the constants computed from the parts with h5py and numpy,
    /// compared with `joined`; the JSON of its largest differences.
    public func directComparison(joined: String, windows: [String] = []) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/cfel_direct.py").path
        var arguments = [script, options.measurement.rawValue, rawDirectory, options.module, joined,
                         "--runs"] + options.runs.map(String.init) + ["--cells", String(options.cells)]
        if !windows.isEmpty { arguments += ["--windows"] + windows }
        let run = try ChildProcess.run("python3", arguments, environment: ChildProcess.baseEnvironment())
        guard run.status == 0, let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            throw PythonScript.Failure(description: "cfel_direct.py failed (\(run.status)): \(run.stderr)\(run.stdout)")
        }
        return result
    }

    /// The dark constants equal the direct computation over the complete samples.
    public func expectDarkEqualsDirect(output: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let differences = try directComparison(joined: joined(output: output))
        for key in ["offset", "gainlevel_mean", "frame_count"] {
            #expect(differences[key] as? Int == 0, "\(key): \(differences)", sourceLocation: sourceLocation)
        }
        #expect(differences["threshold"] as? Double == 0, "\(differences)", sourceLocation: sourceLocation)
        #expect((differences["stddev_max_relative"] as? Double ?? 1) < 1e-12, "\(differences)", sourceLocation: sourceLocation)
    }
}
