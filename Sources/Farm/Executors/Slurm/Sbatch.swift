import Foundation

/// Submits batch scripts with `sbatch --parsable`.
///
/// Submission is the one call that must not simply be repeated: after "Socket timed out" the
/// job may have been accepted, and a blind retry would run it twice. So an ambiguous failure
/// is retried only after looking the job up by name and comment token (``SbatchRequest/comment``),
/// and not at all when the request has no token.
public struct Sbatch: Sendable {
    public var runner: SlurmCommandRunner

    public init(runner: SlurmCommandRunner = SlurmCommandRunner()) { self.runner = runner }

    /// Submits the request and returns the new job's id (for an array, the array's id).
    ///
    /// - Throws: ``SlurmError`` — `invalidRequest` before anything is sent, `commandFailed` when
    ///   SLURM refuses the job, `transientFailurePersisted` when the controller stays unreachable,
    ///   `ambiguousSubmission` when the outcome is unknown and there is no token to check.
    public func submit(_ request: SbatchRequest) throws -> SlurmJobID {
        let arguments = try request.arguments()
        // Accounting times have one-second resolution and clocks drift: look back a little.
        let since = Date().addingTimeInterval(-120)
        var attempt = 1
        var mustLookUp = false
        var lastFailure = ""
        while true {
            if mustLookUp, let token = request.comment {
                do {
                    if let existing = try findSubmitted(name: request.jobName, token: token,
                                                        since: since) {
                        return existing
                    }
                    mustLookUp = false  // SLURM has no such job: submitting again is safe
                } catch {
                    // Never resubmit without knowing: the earlier call may have gone through.
                    guard attempt < runner.retryPolicy.maximumAttempts else {
                        throw SlurmError.ambiguousSubmission(
                            command: SlurmCommandRunner.displayLine(["sbatch"] + arguments),
                            stderr: "\(lastFailure); looking the job up failed: \(error)")
                    }
                    Thread.sleep(forTimeInterval: runner.retryPolicy.delay(afterAttempt: attempt))
                    attempt += 1
                    continue
                }
            }
            let output: SlurmCommandOutput
            do {
                output = try runner.runOnce(.sbatch, arguments)
            } catch SlurmError.timedOut(_, let seconds) {
                output = SlurmCommandOutput(command: ["sbatch"] + arguments, stdout: "",
                                            stderr: "Socket timed out (client killed after \(seconds) s)",
                                            exitCode: -1)
            }
            if output.exitCode == 0 {
                return try Self.parseJobID(output.stdout, command: output.commandLine)
            }
            lastFailure = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            switch SlurmFailureKind(stderr: output.stderr) {
            case .permanent:
                throw SlurmError.commandFailed(command: output.commandLine,
                                               exitCode: output.exitCode, stderr: output.stderr)
            case .transientAmbiguous:
                guard request.comment != nil else {
                    throw SlurmError.ambiguousSubmission(command: output.commandLine,
                                                         stderr: output.stderr)
                }
                mustLookUp = true
            case .transientUndelivered:
                break
            }
            guard attempt < runner.retryPolicy.maximumAttempts else {
                throw SlurmError.transientFailurePersisted(
                    command: output.commandLine, attempts: attempt, stderr: output.stderr)
            }
            Thread.sleep(forTimeInterval: runner.retryPolicy.delay(afterAttempt: attempt))
            attempt += 1
        }
    }

    /// The job named `name` whose comment is `token`, from `squeue` or else `sacct`; nil if
    /// SLURM knows no such job.
    public func findSubmitted(name: String, token: String, since: Date) throws -> SlurmJobID? {
        let queued = try Squeue(runner: runner).jobs(named: name)
        if let match = queued.first(where: { $0.comment == token }) {
            return SlurmJobID(job: match.id.job)
        }
        let accounted = try Sacct(runner: runner).jobs(named: name, since: since).records
        return accounted.first(where: { $0.comment == token }).map { SlurmJobID(job: $0.id.job) }
    }

    /// The job id from `sbatch --parsable` output: `123`, or `123;cluster` on multi-cluster
    /// sites. Warnings go to stderr, so the last non-empty stdout line is the answer.
    public static func parseJobID(_ stdout: String, command: String = "sbatch") throws -> SlurmJobID {
        let line = stdout.split(whereSeparator: \.isNewline)
            .last(where: { !$0.allSatisfy(\.isWhitespace) }) ?? ""
        let idPart = line.split(separator: ";", maxSplits: 1).first ?? ""
        guard let job = Int(idPart.trimmingCharacters(in: .whitespaces)), job > 0 else {
            throw SlurmError.unparsableOutput(command: command, line: String(line),
                                              reason: "expected a job id such as 123 or 123;cluster")
        }
        return SlurmJobID(job: job)
    }
}
