import Foundation

/// Everything that can go wrong while talking to SLURM through its command-line clients.
///
/// Each case carries the command line that failed and what the client printed, so a message
/// names the exact call (`sbatch --parsable … script.sh`) and SLURM's own words.
public enum SlurmError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The client program could not be started (for example, not on `PATH`).
    case launchFailed(command: String, reason: String)
    /// The client exited non-zero with an error that retrying would not fix.
    case commandFailed(command: String, exitCode: Int32, stderr: String)
    /// The client kept failing with transient errors (controller unreachable, socket timeouts)
    /// until the retry policy gave up.
    case transientFailurePersisted(command: String, attempts: Int, stderr: String)
    /// The client ran longer than the runner's time limit and was terminated.
    case timedOut(command: String, seconds: Double)
    /// A line of the client's output did not have the expected shape.
    case unparsableOutput(command: String, line: String, reason: String)
    /// A request was refused before anything was sent to SLURM.
    case invalidRequest(field: String, value: String, reason: String)
    /// `sbatch` failed ambiguously (the job may have been accepted) and the request carries no
    /// comment token to look it up by, so it was not resubmitted.
    case ambiguousSubmission(command: String, stderr: String)

    public var description: String {
        switch self {
        case let .launchFailed(command, reason):
            return "could not run `\(command)`: \(reason)"
        case let .commandFailed(command, exitCode, stderr):
            return "`\(command)` failed with exit code \(exitCode): \(Self.trimmed(stderr))"
        case let .transientFailurePersisted(command, attempts, stderr):
            return "`\(command)` still failing after \(attempts) attempts: \(Self.trimmed(stderr))"
        case let .timedOut(command, seconds):
            return "`\(command)` did not finish within \(seconds) s and was terminated"
        case let .unparsableOutput(command, line, reason):
            return "unexpected output from `\(command)`: \(reason) in line \"\(line)\""
        case let .invalidRequest(field, value, reason):
            return "invalid SLURM request: \(field) \"\(value)\" \(reason)"
        case let .ambiguousSubmission(command, stderr):
            return "`\(command)` failed in a way that may still have submitted the job, and the "
                + "request has no comment token to check: \(Self.trimmed(stderr))"
        }
    }

    private static func trimmed(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? "(no message)" : t
    }
}
