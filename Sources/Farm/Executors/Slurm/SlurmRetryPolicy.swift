import Foundation

/// How often and how patiently a SLURM client call is repeated after a transient error.
///
/// Sites see "Socket timed out" and "Unable to contact slurm controller" under load; one such
/// error must not end a run, but hammering a busy controller makes it worse, so the delay grows
/// exponentially: `initialDelay * multiplier^(attempt-1)`, capped at `maximumDelay`.
public struct SlurmRetryPolicy: Hashable, Sendable {
    /// Total attempts including the first; 1 disables retrying.
    public var maximumAttempts: Int
    public var initialDelay: Double
    public var multiplier: Double
    public var maximumDelay: Double

    public init(maximumAttempts: Int = 5, initialDelay: Double = 1, multiplier: Double = 2,
                maximumDelay: Double = 30) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
    }

    /// No retries: the first transient error is reported.
    public static let never = SlurmRetryPolicy(maximumAttempts: 1)

    /// Seconds to wait after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maximumDelay, initialDelay * pow(multiplier, Double(max(0, attempt - 1))))
    }
}

/// How a failed client call is to be treated, judged from its stderr.
public enum SlurmFailureKind: Hashable, Sendable {
    /// The request never reached the controller (connection refused, controller unreachable):
    /// repeating it is always safe.
    case transientUndelivered
    /// The request may or may not have been processed (a socket timed out mid-reply): safe to
    /// repeat for queries, but a submission must first be looked up.
    case transientAmbiguous
    /// Anything else: retrying would give the same answer.
    case permanent

    /// Classifies a client's error output.
    public init(stderr: String) {
        let undelivered = ["Unable to contact slurm controller", "Connection refused",
                           "Resource temporarily unavailable"]
        let ambiguous = ["Socket timed out", "Zero Bytes were transmitted"]
        if ambiguous.contains(where: stderr.contains) {
            self = .transientAmbiguous
        } else if undelivered.contains(where: stderr.contains) {
            self = .transientUndelivered
        } else {
            self = .permanent
        }
    }

    public var isTransient: Bool { self != .permanent }
}
