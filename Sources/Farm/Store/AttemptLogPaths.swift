/// Where the attempts of one submission write their logs: task `k`'s log is `prefix`, then `k`,
/// then `suffix` (task 0 for a plain job). One pattern per submission lets `markSubmitted` write
/// every attempt's log path in the same statement that creates the attempts.
public struct AttemptLogPaths: Sendable, Equatable {
    public var prefix: String
    public var suffix: String

    public init(prefix: String, suffix: String) {
        self.prefix = prefix
        self.suffix = suffix
    }

    /// The log of array task `task` (nil: a plain job, written as task 0).
    public func path(task: Int?) -> String { "\(prefix)\(task ?? 0)\(suffix)" }
}
