/// Where a whole request stands; stored in `request.state` by `FarmStore.setRequestState`.
public enum RequestState: String, Sendable, CaseIterable, Hashable {
    /// Planned, nothing submitted.
    case planned
    /// Some job units queued or running, or waiting to be submitted.
    case running
    /// Every job unit done.
    case done
    /// Ended with failures and nothing done.
    case failed
    /// Cancelled before anything ended in success or failure.
    case cancelled
    /// Ended with some job units done and others failed or cancelled (join records what is missing).
    case partial

    public var isTerminal: Bool { self == .done || self == .failed || self == .cancelled || self == .partial }

    /// The request state implied by the number of its job units in each state.
    ///
    /// Queued or running units make it `running`; planned units left beside units that ended
    /// well also count as `running` (submission in progress); once nothing can move any more,
    /// failures and cancellations decide between `partial`, `failed` and `cancelled`.
    public static func derived(from counts: [JobState: Int]) -> RequestState {
        func count(_ state: JobState) -> Int { counts[state] ?? 0 }
        let total = counts.values.reduce(0, +)
        if total == 0 || count(.planned) == total { return .planned }
        if count(.queued) + count(.running) > 0 { return .running }
        if count(.done) == total { return .done }
        if count(.failed) + count(.cancelled) == 0 { return .running }
        if count(.done) > 0 { return .partial }
        return count(.failed) > 0 ? .failed : .cancelled
    }
}
