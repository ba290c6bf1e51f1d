import Foundation

/// One line of `squeue`: a job, or one array task, that the controller still holds in memory.
public struct SqueueRecord: Hashable, Sendable {
    public var id: SlurmJobID
    public var state: SlurmJobState
    public var reason: SlurmPendingReason
    /// Allocated nodes (`vm`, `node[01-04]`); nil while pending.
    public var nodeList: String?
    public var name: String
    public var comment: String?

    public init(id: SlurmJobID, state: SlurmJobState, reason: SlurmPendingReason,
                nodeList: String?, name: String, comment: String?) {
        self.id = id
        self.state = state
        self.reason = reason
        self.nodeList = nodeList
        self.name = name
        self.comment = comment
    }
}
