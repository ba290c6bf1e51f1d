import Foundation

/// Errors of the controller library that are not configuration, planning, store or SLURM errors
/// (those layers have their own enums).
public enum FarmError: Error, CustomStringConvertible {
    case io(path: String, reason: String)
    case unknownRequest(String)
    case unknownJob(request: String, job: String)
    case invalidState(String)
    /// SIGINT or SIGTERM stopped the local executor; its workers were stopped and their attempts
    /// closed, so `resume` finishes the request.
    case interrupted(request: String, signal: Int32)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .unknownRequest(id): "no request '\(id)' in the state database"
        case let .unknownJob(request, job): "request \(request) has no job unit '\(job)'"
        case let .invalidState(reason): reason
        case let .interrupted(request, signal):
            "interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT"): the running job units were stopped; "
                + "`calfarm resume \(request)` finishes request \(request)"
        }
    }
}
