/// What `submit` did.
public struct SubmitOutcome: Sendable, Equatable, Codable {
    public var request: String
    public var jobs: Int
    /// `sbatch` calls made (0 for the local executor).
    public var sbatchCalls: Int
    public var executor: String
    public var warnings: [String]
    /// The SLURM job of the request's supervisor, if one was submitted.
    public var supervisorJob: String? = nil
}

/// What `resume` did.
public struct ResumeOutcome: Sendable, Equatable, Codable {
    public var request: String
    /// Job units submitted again (failed, cancelled, never run, and not-done units downstream).
    public var resubmitted: [String]
    /// Submissions found already accepted by SLURM (controller killed between calls).
    public var recovered: Int
    public var sbatchCalls: Int
}

/// What `cancel` did.
public struct CancelOutcome: Sendable, Equatable, Codable {
    public var request: String
    public var cancelled: Int
    public var slurmJobs: [String]
}

/// One attempt's log, for `calfarm logs`.
public struct LogEntry: Sendable, Equatable, Codable {
    public var job: String
    public var attempt: Int
    public var path: String
    public var state: String
}

/// What `plan` shows: the DAG, the effective configuration and the scripts; nothing is stored.
public struct PlanPreview: Sendable {
    public var graph: JobGraph
    public var configurationYAML: String
    /// Array group name → rendered batch script (SLURM executor).
    public var scripts: [(group: String, script: String)]
    /// sbatch calls this plan would take (with the SLURM executor).
    public var sbatchCalls: Int
    /// Where the plan would run: with the local executor nothing is submitted to SLURM.
    public var executor: ExecutorKind = .slurm
}
