import Foundation

/// One row of `event`: a timestamped line of a request's history (submitted, retried, failed, …).
public struct EventRecord: Sendable, Equatable {
    /// Assigned by the database; nil for an event not yet appended.
    public var id: Int64?
    public var request: String
    /// The job unit it concerns, or nil for the request as a whole.
    public var job: String?
    public var time: Date
    /// A short machine-readable word, e.g. `submitted`, `retry`, `cancel`.
    public var kind: String
    public var message: String

    public init(id: Int64? = nil, request: String, job: String? = nil, time: Date, kind: String,
                message: String) {
        self.id = id
        self.request = request
        self.job = job
        self.time = time
        self.kind = kind
        self.message = message
    }
}
