/// Errors of the controller library that are not configuration, planning, store or SLURM errors
/// (those layers have their own enums).
public enum FarmError: Error, CustomStringConvertible {
    case io(path: String, reason: String)
    case unknownRequest(String)
    case unknownJob(request: String, job: String)
    case invalidState(String)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .unknownRequest(id): "no request '\(id)' in the state database"
        case let .unknownJob(request, job): "request \(request) has no job unit '\(job)'"
        case let .invalidState(reason): reason
        }
    }
}
