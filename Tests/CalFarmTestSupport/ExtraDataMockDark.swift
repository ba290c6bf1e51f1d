import Farm
import FarmContract
import Foundation
import HDF5
import Testing

/// A three-run dark written by EXtra-data's mock writer (SPB, channels of both wings, a lost
/// and a partial train, INDEX/trainId padded but first/count not), with numpy's constants
/// from EXtra-data's reading of it: the end-to-end check on files CalFarm did not write.
public struct ExtraDataMockDark {
    public static let runs = [21, 22, 23]
    public static let channels = [2, 13]
    public static let cells = 4
    public let inputDir: String
    public let referencePath: String
    let home: String

    public init(dir: TemporaryDirectory) throws {
        inputDir = dir.file("in")
        home = dir.file("home")
        try ExtraDataMock.write(.init(runs: Self.runs, channels: Self.channels,
                                      sequences: [.init(frames: [4, 4, 0, 2, 4, 4]), .init(frames: [4, 4, 4, 4])],
                                      chunk: 16, format: "1.0", seed: 11), to: inputDir)
        referencePath = dir.file("reference.h5")
        try ExtraDataMock.darkReference(inputDir: inputDir, runs: Self.runs, channels: Self.channels, cells: Self.cells,
                                        output: referencePath)
    }

    /// A controller environment with its own CALFARM_HOME and the built worker.
    public var environment: [String: String] {
        get throws {
            ["HOME": home, "CALFARM_HOME": home, "CALFARM_WORKER": try BuiltProducts.executable("calfarm-worker"),
             "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        }
    }

    /// No detector configured: it is found in the files.
    public func options(output: String, executor: ExecutorKind) -> SubmitOptions {
        SubmitOptions(measurement: .dark, inputDir: inputDir, outputDir: output, runs: Self.runs, channels: Self.channels,
                      overrides: ["process.n_jobs=2", "local.workers=2"], executor: executor)
    }

    public func joinedPath(output: String) -> String {
        ProductPaths(inputDir: inputDir, outputDir: output, measurement: .dark).joinedAGIPD(runs: Self.runs)
    }

    /// Offset, gain level and thresholds exactly; stddev to 1e-9 (numpy sums differently).
    public func expectReferenceConstants(joined: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for channel in Self.channels {
            let group = String(format: "channel%02d", channel)
            for name in ["offset", "gainlevel_mean", "threshold", "stddev"] {
                let ours = try Self.doubles(joined, "\(group)/\(name)")
                let theirs = try Self.doubles(referencePath, "\(group)/\(name)")
                #expect(ours.count == theirs.count && !ours.isEmpty, "\(group)/\(name)", sourceLocation: sourceLocation)
                let tolerance = name == "stddev" ? 1e-9 : 0
                let wrong = zip(ours, theirs).filter { abs($0 - $1) > tolerance * max(1, abs($1)) }.count
                #expect(wrong == 0, "\(group)/\(name): \(wrong) of \(ours.count) values differ", sourceLocation: sourceLocation)
            }
        }
    }

    /// Any numeric dataset as Double (the joined file keeps int64 for offset and gain level).
    static func doubles(_ path: String, _ name: String) throws -> [Double] {
        let file = try File.open(path)
        defer { try? file.close() }
        let dataset = try file.root.dataset(name)
        if dataset.elementTypeName == Int64.hdf5TypeName { return try dataset.read(Int64.self).map(Double.init) }
        return try dataset.read(Double.self)
    }
}
