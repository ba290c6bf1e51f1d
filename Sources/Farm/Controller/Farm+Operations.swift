import FarmContract
import Foundation

extension Farm {
    /// Plans a request without storing or submitting anything: the DAG, the effective
    /// configuration and the rendered scripts.
    public func plan(_ options: SubmitOptions) throws -> PlanPreview { fatalError("todo") }

    /// Plans, stores and submits a request. With the local executor this runs the whole request
    /// before returning. `progress` receives one line per notable event.
    public func submit(_ options: SubmitOptions, progress: (String) -> Void = { _ in }) throws -> SubmitOutcome { fatalError("todo") }

    /// Refreshes (one batched squeue + sacct, result files of open jobs) and reports.
    /// `request` nil = the latest request.
    public func status(request: String?, refresh: Bool = true) throws -> StatusReport { fatalError("todo") }

    /// Refreshes every `interval` seconds (growing ×1.5 up to 60 s while nothing changes) until the
    /// request ends, calling `onUpdate` after each refresh; applies the automatic retry policy.
    public func wait(request: String, interval: Double = 5, onUpdate: (StatusReport) -> Void = { _ in }) throws -> StatusReport { fatalError("todo") }

    /// Resubmits only failed, timed-out, cancelled, node-failed or never-run units and the not-done
    /// units downstream of them; completes submissions a killed controller left half-done.
    public func resume(request: String, progress: (String) -> Void = { _ in }) throws -> ResumeOutcome { fatalError("todo") }

    /// Cancels every queued or running unit of the request.
    public func cancel(request: String) throws -> CancelOutcome { fatalError("todo") }

    /// The log files of a job unit's attempts, newest last. `request` nil = the latest request.
    public func logs(request: String?, job: String) throws -> [LogEntry] { fatalError("todo") }
}
