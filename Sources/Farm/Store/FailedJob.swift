/// A failed job unit as `status` lists it: the unit and its latest attempt (reason, exit code,
/// log path), if it was ever submitted.
public struct FailedJob: Sendable, Equatable {
    public var job: JobUnitRecord
    public var lastAttempt: AttemptRecord?

    public init(job: JobUnitRecord, lastAttempt: AttemptRecord?) {
        self.job = job
        self.lastAttempt = lastAttempt
    }

    /// The best available explanation: the attempt's reason, else the unit's last error.
    public var reason: String? { lastAttempt?.reason ?? job.lastError }

    /// The attempt's log, else the unit's planned log path.
    public var logPath: String? { lastAttempt?.logPath ?? job.logPath }
}
