import Foundation

/// Why a job waits, from `squeue %r`. Only the reasons CalFarm acts on get their own case.
public enum SlurmPendingReason: Hashable, Sendable, CustomStringConvertible {
    /// `None`: the job is not waiting (running or finished).
    case none
    /// `Dependency`: a parent has not finished yet.
    case dependency
    /// `DependencyNeverSatisfied`: a parent ended in a way the dependency excludes (an `afterok`
    /// parent failed); without `--kill-on-invalid-dep` the job stays pending forever and the
    /// controller must cancel it.
    case dependencyNeverSatisfied
    /// `JobArrayTaskLimit`: held back by the array's `%N` throttle.
    case arrayTaskLimit
    /// `Resources` or `Priority`: ordinary queueing.
    case resources
    case priority
    /// Any other reason, verbatim.
    case other(String)

    public init(parsing text: String) {
        let word = text.trimmingCharacters(in: .whitespaces)
        switch word {
        case "", "None", "(null)": self = .none
        case "Dependency": self = .dependency
        case "DependencyNeverSatisfied": self = .dependencyNeverSatisfied
        case "JobArrayTaskLimit": self = .arrayTaskLimit
        case "Resources": self = .resources
        case "Priority": self = .priority
        default: self = .other(word)
        }
    }

    public var description: String {
        switch self {
        case .none: return "None"
        case .dependency: return "Dependency"
        case .dependencyNeverSatisfied: return "DependencyNeverSatisfied"
        case .arrayTaskLimit: return "JobArrayTaskLimit"
        case .resources: return "Resources"
        case .priority: return "Priority"
        case .other(let text): return text
        }
    }
}
