import Foundation

/// What a worker reports about one attempt at one job unit. Written by the worker to the
/// spec's `resultPath` under a temporary name and renamed into place when complete; ingested by
/// the controller, which alone writes the database.
public struct JobResult: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public enum Status: String, Codable, Sendable {
        case succeeded, failed
    }

    /// One product file, as renamed into place.
    public struct Output: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        /// `xxh64:<16 hex digits>` of the whole file.
        public var checksum: String
        public init(path: String, bytes: Int64, checksum: String) {
            self.path = path
            self.bytes = bytes
            self.checksum = checksum
        }
    }

    /// Parts of a product that could not be produced (join: ASICs without a process result).
    public struct Missing: Codable, Sendable, Equatable {
        /// The XFEL channel; -1 for a CFEL module (named in `module`).
        public var channel: Int
        public var asics: [Int]
        public var reason: String
        /// The CFEL module; nil at XFEL.
        public var module: String?
        public init(channel: Int, asics: [Int], reason: String) {
            self.channel = channel
            self.asics = asics
            self.reason = reason
        }
        public init(unit: DetectorUnit, asics: [Int], reason: String) {
            switch unit {
            case .channel(let channel): self.init(channel: channel, asics: asics, reason: reason)
            case .module(let module):
                self.init(channel: -1, asics: asics, reason: reason)
                self.module = module
            }
        }
        /// "channel 3" or "module M304".
        public var unit: DetectorUnit { module.map(DetectorUnit.module) ?? .channel(channel) }
    }

    public var formatVersion: Int
    public var request: String
    public var job: String
    public var status: Status
    public var outputs: [Output]
    public var warnings: [String]
    /// Human-readable cause when `status == .failed`; names the file, run, channel or key.
    public var error: String?
    public var missing: [Missing]
    public var host: String
    /// SLURM job id (`<array job>_<task>` for array tasks) when run under SLURM.
    public var slurmJobID: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var cpuSeconds: Double
    public var peakMemoryBytes: Int64
    /// Step-specific figures (frames read, bytes read, cells, trains, …).
    public var metrics: [String: Double]

    public init(request: String, job: String, status: Status, outputs: [Output] = [],
                warnings: [String] = [], error: String? = nil, missing: [Missing] = [],
                host: String, slurmJobID: String? = nil, startedAt: Date, finishedAt: Date,
                cpuSeconds: Double = 0, peakMemoryBytes: Int64 = 0, metrics: [String: Double] = [:]) {
        self.formatVersion = Self.currentFormatVersion
        self.request = request
        self.job = job
        self.status = status
        self.outputs = outputs
        self.warnings = warnings
        self.error = error
        self.missing = missing
        self.host = host
        self.slurmJobID = slurmJobID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.metrics = metrics
    }
}
