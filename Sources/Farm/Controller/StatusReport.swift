import FarmContract
import Foundation

/// The answer to `calfarm status`: counts per state and step, the failed jobs with reason and
/// log, and what the join reported missing. Its JSON form is the `--json` contract.
public struct StatusReport: Codable, Sendable, Equatable {
    /// Counts of job units by state. `pending` = planned + queued.
    public struct Counts: Codable, Sendable, Equatable {
        public var total = 0
        public var pending = 0
        public var running = 0
        public var done = 0
        public var failed = 0
        public var cancelled = 0
        public init() {}
    }

    public struct FailedJob: Codable, Sendable, Equatable {
        public var job: String
        public var step: String
        public var state: String
        public var attempts: Int
        public var reason: String
        public var log: String?
        public var exitCode: Int?
        public var slurmJobID: String?
        /// Units cancelled because this one failed (they waited on it with `afterok`).
        public var cancelledDependents = 0

        public init(job: String, step: String, state: String, attempts: Int, reason: String, log: String?,
                    exitCode: Int?, slurmJobID: String?) {
            self.job = job; self.step = step; self.state = state; self.attempts = attempts
            self.reason = reason; self.log = log; self.exitCode = exitCode; self.slurmJobID = slurmJobID
        }
    }

    public struct Missing: Codable, Sendable, Equatable {
        /// The XFEL channel; -1 for the CFEL module (named in `module`).
        public var channel: Int
        public var asics: [Int]
        public var reason: String
        public var module: String?

        public init(channel: Int, asics: [Int], reason: String, module: String? = nil) {
            self.channel = channel; self.asics = asics; self.reason = reason; self.module = module
        }

        /// "channel 3" or "module M304".
        public var unit: String { (module.map(DetectorUnit.module) ?? .channel(channel)).description }
    }

    public var request: String
    /// planned, running, done, failed, partial, cancelled.
    public var state: String
    public var measurement: String
    public var executor: String
    public var createdAt: Date
    public var jobs: Counts
    /// Per step (in pipeline order), the same counts.
    public var steps: [String: Counts]
    public var stepOrder: [String]
    public var failed: [FailedJob]
    public var missing: [Missing]
    /// Notes about the refresh itself (e.g. "SLURM accounting is disabled; states from squeue and result files").
    public var notes: [String]
    /// The request whose products replaced this one's (`submit --overwrite`); nil if none.
    public var supersededBy: String?
    /// Who follows a SLURM request and applies the retry policy (`SLURM job 123, since …`); nil
    /// for the local executor or when no supervisor holds the request.
    public var supervisor: String?
    /// The workers' warnings, grouped by step (kept in the database as they arrive).
    public var warnings: [WarningGroup] = []

    /// The warnings of one step: how many, from how many units, and the first few in full.
    public struct WarningGroup: Codable, Sendable, Equatable {
        public var step: String
        public var count: Int
        public var units: Int
        /// Up to five, each prefixed with its job unit.
        public var examples: [String]
    }
    public var outputDir: String

    public init(request: String, state: String, measurement: String, executor: String, createdAt: Date,
                jobs: Counts, steps: [String: Counts], stepOrder: [String], failed: [FailedJob],
                missing: [Missing], notes: [String], outputDir: String) {
        self.request = request; self.state = state; self.measurement = measurement; self.executor = executor
        self.createdAt = createdAt; self.jobs = jobs; self.steps = steps; self.stepOrder = stepOrder
        self.failed = failed; self.missing = missing; self.notes = notes; self.outputDir = outputDir
    }
}
