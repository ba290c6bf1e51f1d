import Foundation

/// Queries the controller's queue with `squeue`, many jobs per call.
///
/// Queries ask for every state (`-t all`): without it `squeue` hides jobs that already finished
/// even while the controller still holds them. Finished jobs leave `squeue` after `MinJobAge`,
/// so a job missing from the answer is not an error: the caller asks ``Sacct`` next. JSON output is not used: in SLURM 22.05
/// `squeue --json` ignores `-j`/`-n` and dumps every job.
public struct Squeue: Sendable {
    /// `%i` is printed for reference only; the id is built from `%F` (array job id) and `%K`
    /// (task index), which stay unambiguous. `%k` (comment) is last because it may contain `|`.
    public static let format = "%i|%T|%r|%N|%F|%K|%j|%k"

    public var runner: SlurmCommandRunner

    public init(runner: SlurmCommandRunner = SlurmCommandRunner()) { self.runner = runner }

    /// The queue entries of the given jobs or array tasks (a whole array id lists all its
    /// tasks), one `squeue` call per chunk of ids.
    ///
    /// Complexity: O(n) in the number of ids; ⌈n / chunk size⌉ client calls.
    public func jobs(_ ids: [SlurmJobID]) throws -> [SqueueRecord] {
        var records: [SqueueRecord] = []
        for chunk in SlurmIDList.chunks(ids.map(\.description)) {
            let args = ["-h", "-r", "-t", "all", "-j", chunk.joined(separator: ","), "-o", Self.format]
            let output = try runner.run(.squeue, args, acceptedExitCodes: [1])
            // One unknown id alone makes squeue exit 1; in a list it is silently left out.
            if output.exitCode != 0 {
                guard output.stderr.contains("Invalid job id specified") else {
                    throw SlurmError.commandFailed(command: output.commandLine,
                                                   exitCode: output.exitCode, stderr: output.stderr)
                }
                continue
            }
            records += try Self.parse(output.stdout, command: output.commandLine)
        }
        return records
    }

    /// The queue entries whose job name is `name` (`squeue -n`).
    public func jobs(named name: String) throws -> [SqueueRecord] {
        let output = try runner.run(.squeue, ["-h", "-r", "-t", "all", "-n", name, "-o", Self.format])
        return try Self.parse(output.stdout, command: output.commandLine)
    }

    /// Parses `squeue -h -r -o` output in ``format``.
    ///
    /// - Throws: ``SlurmError/unparsableOutput(command:line:reason:)`` naming the bad line.
    public static func parse(_ text: String, command: String = "squeue") throws -> [SqueueRecord] {
        var records: [SqueueRecord] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: "|", maxSplits: 7, omittingEmptySubsequences: false)
            guard fields.count == 8 else {
                throw SlurmError.unparsableOutput(command: command, line: String(line),
                                                  reason: "expected 8 '|'-separated fields")
            }
            guard let job = Int(fields[4]) else {
                throw SlurmError.unparsableOutput(command: command, line: String(line),
                                                  reason: "array job id '\(fields[4])' is not a number")
            }
            let task = Int(fields[5])  // N/A for plain jobs
            records.append(SqueueRecord(
                id: SlurmJobID(job: job, arrayTask: task),
                state: SlurmJobState(parsing: String(fields[1])),
                reason: SlurmPendingReason(parsing: String(fields[2])),
                nodeList: SlurmText.nonEmpty(fields[3]),
                name: String(fields[6]),
                comment: SlurmText.nonEmpty(fields[7])))
        }
        return records
    }
}
