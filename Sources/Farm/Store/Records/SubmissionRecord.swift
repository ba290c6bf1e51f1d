import Foundation

/// One row of `submission`: a token recorded before an `sbatch` call, so that a controller killed
/// in the middle can find out (through the token in the job name or comment) what SLURM accepted.
public struct SubmissionRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, Hashable {
        /// Token written, `sbatch` not (known to be) done: look the token up before resubmitting.
        case recorded
        /// `sbatch` accepted it; `slurmJobID` is set and the attempts exist.
        case submitted
        /// `sbatch` refused it and SLURM holds no job with the token.
        case failed
    }

    public var id: Int64
    public var request: String
    public var arrayGroup: String
    public var token: String
    public var state: State
    public var slurmJobID: String?
    public var createdAt: Date
    /// Why the submission failed, when it did.
    public var message: String?

    public init(id: Int64, request: String, arrayGroup: String, token: String, state: State,
                slurmJobID: String? = nil, createdAt: Date, message: String? = nil) {
        self.id = id
        self.request = request
        self.arrayGroup = arrayGroup
        self.token = token
        self.state = state
        self.slurmJobID = slurmJobID
        self.createdAt = createdAt
        self.message = message
    }
}

/// One job unit carried by a submission (a row of `submissionJob`), with its array task index.
public struct SubmittedJob: Sendable, Equatable, Hashable {
    public var job: String
    /// The task index in the array (`--array`), or nil for a plain job.
    public var arrayTaskID: Int?

    public init(job: String, arrayTaskID: Int? = nil) {
        self.job = job
        self.arrayTaskID = arrayTaskID
    }
}
