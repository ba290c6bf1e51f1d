/// Where a job unit (or one attempt at it) stands. Stored verbatim in `jobUnit.state` and
/// `attempt.state`; the same words appear in `calfarm status`.
public enum JobState: String, Sendable, CaseIterable, Hashable {
    /// In the plan, not handed to an executor (never run, or reset for resume).
    case planned
    /// Handed to the executor (e.g. accepted by `sbatch`), waiting to start.
    case queued
    /// Started on a node.
    case running
    /// Ended and its result file validated.
    case done
    /// Ended without a valid result (error, timeout, node failure, out of memory, …).
    case failed
    /// Cancelled by the user or by the controller (e.g. a dependent of a failed job).
    case cancelled

    /// The job has ended and will not change unless it is reset for resume.
    public var isTerminal: Bool { self == .done || self == .failed || self == .cancelled }

    /// The executor holds the job: it must be watched by reconciliation.
    public var isActive: Bool { self == .queued || self == .running }

    /// The job has not started yet (what `status` counts as pending).
    public var isPending: Bool { self == .planned || self == .queued }

    /// `resume` resubmits jobs in these states.
    public var needsRerun: Bool { self == .failed || self == .cancelled || self == .planned }
}
