/// Why the worker could not run its job unit (before or around the calibration step itself).
public enum WorkerError: Error, CustomStringConvertible {
    case badFaultRule(String)
    case unsupported(job: String, reason: String)
    case injectedFailure(job: String)

    public var description: String {
        switch self {
        case let .badFaultRule(rule):
            "malformed CALFARM_FAULT rule '\(rule)': expected <job-glob>=fail|crash|hang|sleep:N[@attempt]"
        case let .unsupported(job, reason): "job \(job): \(reason)"
        case let .injectedFailure(job): "job \(job): failure injected by CALFARM_FAULT"
        }
    }
}
