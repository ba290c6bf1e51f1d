import Foundation

/// One row of `attempt`: one submission of one job unit to an executor.
public struct AttemptRecord: Sendable, Equatable {
    public var id: Int64
    public var request: String
    public var job: String
    /// 1 for the first attempt at the job, then 2, 3, …
    public var number: Int
    public var executor: String
    /// The submission token of the `sbatch` call that carried this attempt.
    public var token: String?
    /// The SLURM job id (the array job id for array tasks); for the local executor, its own id.
    public var slurmJobID: String?
    public var arrayTaskID: Int?
    /// Never `planned`: an attempt starts `queued`.
    public var state: JobState
    public var exitCode: Int?
    public var node: String?
    public var submittedAt: Date?
    public var startedAt: Date?
    public var endedAt: Date?
    public var logPath: String?
    /// Why it ended as it did: the SLURM state (TIMEOUT, NODE_FAIL, …) or the worker's error.
    public var reason: String?

    public init(id: Int64, request: String, job: String, number: Int, executor: String,
                token: String? = nil, slurmJobID: String? = nil, arrayTaskID: Int? = nil,
                state: JobState, exitCode: Int? = nil, node: String? = nil, submittedAt: Date? = nil,
                startedAt: Date? = nil, endedAt: Date? = nil, logPath: String? = nil,
                reason: String? = nil) {
        self.id = id
        self.request = request
        self.job = job
        self.number = number
        self.executor = executor
        self.token = token
        self.slurmJobID = slurmJobID
        self.arrayTaskID = arrayTaskID
        self.state = state
        self.exitCode = exitCode
        self.node = node
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.logPath = logPath
        self.reason = reason
    }
}
