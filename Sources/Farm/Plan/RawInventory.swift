import FarmContract
import Foundation

/// Which raw sequence files exist, per run and channel, found by listing each run directory once
/// (names only: no HDF5, no per-file stat).
public struct RawInventory: Sendable, Equatable {
    /// run → channel → ascending sequence numbers.
    public var sequences: [Int: [Int: [Int]]]
    /// CFEL: run → ascending part numbers of the module (``CFELInventory``).
    public var parts: [Int: [Int]]
    /// run → channel → bytes of its raw files, where they were listed (sizes the process units).
    public var bytes: [Int: [Int: Int64]]

    public init(sequences: [Int: [Int: [Int]]], parts: [Int: [Int]] = [:], bytes: [Int: [Int: Int64]] = [:]) {
        self.sequences = sequences
        self.parts = parts
        self.bytes = bytes
    }

    /// Raw bytes of `channel` over every listed run; nil when sizes are not known.
    public func rawBytes(channel: Int?) -> Int64? {
        guard let channel, !bytes.isEmpty else { return nil }
        return bytes.values.reduce(0) { $0 + ($1[channel] ?? 0) }
    }

    /// The sequences of `channel` in `run` (empty if none).
    public func sequences(run: Int, channel: Int) -> [Int] { sequences[run]?[channel] ?? [] }

    /// Lists `<inputDir>/raw/rNNNN/` for every run and parses `RAW-R…-AGIPD…-S…h5` names.
    /// Files of another run number, and names that do not parse, are ignored.
    /// - Throws: ``PlanError/missingRunDirectory(run:path:)`` naming the run and path.
    public static func scan(inputDir: String, runs: [Int]) throws -> RawInventory {
        let paths = ProductPaths(inputDir: inputDir, outputDir: "", measurement: .dark)
        var out: [Int: [Int: [Int]]] = [:], bytes: [Int: [Int: Int64]] = [:]
        for run in runs {
            let dir = paths.rawRunDir(run: run)
            var byChannel: [Int: [Int]] = [:], sizes: [Int: Int64] = [:]
            for name in try listDirectory(dir, run: run) {
                guard let parsed = ProductPaths.parseRawFileName(name), parsed.run == run else { continue }
                byChannel[parsed.channel, default: []].append(parsed.sequence)
                var status = stat()
                if stat(dir + "/" + name, &status) == 0 { sizes[parsed.channel, default: 0] += Int64(status.st_size) }
            }
            for channel in byChannel.keys { byChannel[channel]!.sort() }
            out[run] = byChannel
            bytes[run] = sizes
        }
        return RawInventory(sequences: out, bytes: bytes)
    }

    /// readdir(3) directly: FileManager would build an NSArray of every name first.
    private static func listDirectory(_ path: String, run: Int) throws -> [String] {
        guard let dir = opendir(path) else {
            let code = errno
            if code == ENOENT { throw PlanError.missingRunDirectory(run: run, path: path) }
            if code == ENOTDIR { throw PlanError.notADirectory(path: path) }
            throw PlanError.unreadableDirectory(path: path, reason: String(cString: strerror(code)))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasPrefix("RAW-") { names.append(name) }
        }
        return names
    }
}
