import Foundation

/// What reconciliation learned about one attempt. Nil fields leave the stored value unchanged.
public struct AttemptUpdate: Sendable, Equatable {
    /// `AttemptRecord.id` of the attempt to update.
    public var attempt: Int64
    public var state: JobState?
    public var exitCode: Int?
    public var node: String?
    public var startedAt: Date?
    public var endedAt: Date?
    public var reason: String?
    public var logPath: String?
    /// The worker's warnings, stored as `warning` events of the unit when the attempt ends.
    public var warnings: [String] = []

    public init(attempt: Int64, state: JobState? = nil, exitCode: Int? = nil, node: String? = nil,
                startedAt: Date? = nil, endedAt: Date? = nil, reason: String? = nil,
                logPath: String? = nil) {
        self.attempt = attempt
        self.state = state
        self.exitCode = exitCode
        self.node = node
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.reason = reason
        self.logPath = logPath
    }
}
