import Foundation

/// Raw AGIPD runs written by EXtra-data's own mock writer (not CalFarm's), what EXtra-data
/// reads from them, and dark constants numpy computes from that reading. Drives
/// `Scripts/extra_data_mock.py`; a missing EXtra-data fails the test with the install command.
public enum ExtraDataMock {
    /// One sequence file per entry: its train count and the frames of each train (0 = lost).
    public struct Sequence: Codable, Sendable {
        public var trains: Int
        public var frames: [Int]
        public init(frames: [Int]) { self.trains = frames.count; self.frames = frames }
    }

    public struct Spec: Codable, Sendable {
        public var runs: [Int]
        public var channels: [Int]
        public var sequences: [Sequence]
        /// Chunk size INDEX/trainId is padded to (1 = no padding).
        public var chunk: Int
        /// EXtra-data file format version: "0.5", "1.0", "1.2".
        public var format: String
        public var detector: String
        public var seed: Int
        public init(runs: [Int], channels: [Int], sequences: [Sequence], chunk: Int = 16, format: String = "1.0",
                    detector: String = "SPB_DET_AGIPD1M-1", seed: Int = 1) {
            self.runs = runs; self.channels = channels; self.sequences = sequences; self.chunk = chunk
            self.format = format; self.detector = detector; self.seed = seed
        }
    }

    /// What EXtra-data's RunDirectory returns for one source.
    public struct Source: Decodable, Sendable {
        public var train_ids: [UInt64]
        public var counts: [Int]
        public var frame_train_ids: [UInt64]
        public var cell_ids: [Int]
        public var analog_sums: [Int]
        public var digital_sums: [Int]
    }

    public struct Seen: Decodable, Sendable {
        public var train_ids: [UInt64]
        public var sources: [String: Source]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `<inputDir>/raw/rNNNN/RAW-…h5` for every run and channel of `spec`.
    public static func write(_ spec: Spec, to inputDir: String) throws {
        let specPath = "\(inputDir)/mock-spec.json"
        try FileManager.default.createDirectory(atPath: inputDir, withIntermediateDirectories: true)
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: specPath))
        _ = try run(["write", inputDir, specPath])
    }

    /// EXtra-data's reading of one run directory.
    public static func read(runDirectory: String) throws -> Seen {
        try JSONDecoder().decode(Seen.self, from: run(["read", runDirectory]))
    }

    /// Writes numpy's dark constants (`channelCC/{offset,gainlevel_mean,stddev,threshold}`,
    /// float64, AGIPD orientation) for runs (high, medium, low) of `inputDir` to `output`.
    public static func darkReference(inputDir: String, runs: [Int], channels: [Int], cells: Int, output: String) throws {
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
        _ = try run(["reference", inputDir, list(runs), list(channels), String(cells), output])
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/extra_data_mock.py").path
    }

    private static func run(_ arguments: [String]) throws -> Data {
        let result = try ChildProcess.run("python3", [script] + arguments, environment: ChildProcess.baseEnvironment())
        if result.status == 3 {
            throw Failure(description: "EXtra-data is needed: run `python3 -m pip install extra-data` (\(result.stderr))")
        }
        guard result.status == 0 else {
            throw Failure(description: "extra_data_mock.py \(arguments.first ?? "") failed (\(result.status)): \(result.stderr)")
        }
        return Data(result.stdout.utf8)
    }
}
