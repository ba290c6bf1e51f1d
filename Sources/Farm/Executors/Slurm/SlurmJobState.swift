import Foundation

/// The state of a SLURM job or array task, as `squeue %T`/`%t` and `sacct State` print it.
public enum SlurmJobState: Hashable, Sendable, CustomStringConvertible {
    case pending
    case configuring
    case running
    case completing
    case suspended
    case stopped
    case requeued
    case requeueHold
    case resizing
    case signaling
    case stageOut
    case specialExit
    case completed
    case failed
    case timeout
    case nodeFail
    case preempted
    case outOfMemory
    case bootFail
    case deadline
    case revoked
    /// `CANCELLED`, or `CANCELLED by UID` in `sacct` (the uid of whoever cancelled it).
    case cancelled(byUID: Int?)
    /// A state this client does not know (newer SLURM versions add states).
    case unknown(String)

    /// Parses a long name (`COMPLETED`, `CANCELLED by 0`, `CANCELLED+` from width-truncated
    /// output) or a compact code (`CD`, `PD`, `OOM`, …).
    public init(parsing text: String) {
        var word = text.trimmingCharacters(in: .whitespaces).uppercased()
        if word.hasSuffix("+") { word.removeLast() }
        if word.hasPrefix("CANCELLED") || word == "CA" {
            let uid = word.split(separator: " ").last.flatMap { Int($0) }
            self = .cancelled(byUID: uid)
            return
        }
        switch word {
        case "PENDING", "PD": self = .pending
        case "CONFIGURING", "CF": self = .configuring
        case "RUNNING", "R": self = .running
        case "COMPLETING", "CG": self = .completing
        case "SUSPENDED", "S": self = .suspended
        case "STOPPED", "ST": self = .stopped
        case "REQUEUED", "RQ": self = .requeued
        case "REQUEUE_HOLD", "RH": self = .requeueHold
        case "RESIZING", "RS": self = .resizing
        case "SIGNALING", "SI": self = .signaling
        case "STAGE_OUT", "SO": self = .stageOut
        case "SPECIAL_EXIT", "SE": self = .specialExit
        case "COMPLETED", "CD": self = .completed
        case "FAILED", "F": self = .failed
        case "TIMEOUT", "TO": self = .timeout
        case "NODE_FAIL", "NF": self = .nodeFail
        case "PREEMPTED", "PR": self = .preempted
        case "OUT_OF_MEMORY", "OOM": self = .outOfMemory
        case "BOOT_FAIL", "BF": self = .bootFail
        case "DEADLINE", "DL": self = .deadline
        case "REVOKED", "RV": self = .revoked
        default: self = .unknown(text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// True once the job can no longer run by itself: it finished, failed or was removed.
    /// A requeued or suspended job is not terminal: SLURM will run it again.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .timeout, .nodeFail, .preempted, .outOfMemory, .bootFail,
             .deadline, .revoked, .cancelled:
            return true
        default:
            return false
        }
    }

    /// True for terminal states caused by the cluster rather than by the job (a lost node, a
    /// preemption, a node that never booted): running the same job again may succeed.
    public var isRetryable: Bool {
        switch self {
        case .nodeFail, .preempted, .bootFail: return true
        default: return false
        }
    }

    /// True only for `COMPLETED` (exit code 0).
    public var isSuccess: Bool { self == .completed }

    /// The long name as SLURM prints it.
    public var description: String {
        switch self {
        case .pending: return "PENDING"
        case .configuring: return "CONFIGURING"
        case .running: return "RUNNING"
        case .completing: return "COMPLETING"
        case .suspended: return "SUSPENDED"
        case .stopped: return "STOPPED"
        case .requeued: return "REQUEUED"
        case .requeueHold: return "REQUEUE_HOLD"
        case .resizing: return "RESIZING"
        case .signaling: return "SIGNALING"
        case .stageOut: return "STAGE_OUT"
        case .specialExit: return "SPECIAL_EXIT"
        case .completed: return "COMPLETED"
        case .failed: return "FAILED"
        case .timeout: return "TIMEOUT"
        case .nodeFail: return "NODE_FAIL"
        case .preempted: return "PREEMPTED"
        case .outOfMemory: return "OUT_OF_MEMORY"
        case .bootFail: return "BOOT_FAIL"
        case .deadline: return "DEADLINE"
        case .revoked: return "REVOKED"
        case .cancelled(let uid): return uid.map { "CANCELLED by \($0)" } ?? "CANCELLED"
        case .unknown(let text): return text
        }
    }
}
