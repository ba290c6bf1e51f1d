import Foundation

/// Queries SLURM accounting with `sacct`, many jobs per call.
///
/// Unlike ``Squeue`` it also knows jobs that left the controller's memory. It lags a little
/// behind: a job `squeue` already shows RUNNING may still read PENDING here for a second or so.
/// Text output with `-P` is used because `sacct --json` in SLURM 22.05 reports wrong exit codes.
public struct Sacct: Sendable {
    /// `Comment` is last because it may contain `|`.
    public static let fields = "JobID,JobName,State,ExitCode,NodeList,Start,End,Elapsed,Comment"

    public var runner: SlurmCommandRunner

    public init(runner: SlurmCommandRunner = SlurmCommandRunner()) { self.runner = runner }

    /// Accounting records of the given jobs or array tasks (an array id lists all its tasks),
    /// one `sacct` call per chunk of ids.
    ///
    /// Complexity: O(n) in the number of ids; ⌈n / chunk size⌉ client calls.
    public func jobs(_ ids: [SlurmJobID]) throws -> SacctResult {
        var records: [SacctRecord] = []
        for chunk in SlurmIDList.chunks(ids.map(\.description)) {
            let result = try query(["-j", chunk.joined(separator: ",")])
            guard case .records(let found) = result else { return result }
            records += found
        }
        return .records(records)
    }

    /// Accounting records of jobs named `name` that were active at or after `since`.
    public func jobs(named name: String, since: Date) throws -> SacctResult {
        try query(["--name", name, "-S", SlurmText.timestamp(since)])
    }

    private func query(_ selection: [String]) throws -> SacctResult {
        let args = ["-X", "-n", "-P"] + selection + ["--format=\(Self.fields)"]
        let output = try runner.run(.sacct, args, acceptedExitCodes: [1])
        if let message = Self.accountingDisabledMessage(output) {
            return .accountingDisabled(message: message)
        }
        guard output.exitCode == 0 else {
            throw SlurmError.commandFailed(command: output.commandLine, exitCode: output.exitCode,
                                           stderr: output.stderr)
        }
        return .records(try Self.parse(output.stdout, command: output.commandLine))
    }

    /// The "accounting storage is disabled" line, if the client printed it (on either stream).
    public static func accountingDisabledMessage(_ output: SlurmCommandOutput) -> String? {
        for line in (output.stderr + "\n" + output.stdout).split(whereSeparator: \.isNewline)
        where line.lowercased().contains("accounting storage is disabled") {
            return line.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Parses `sacct -X -n -P --format=…` output in ``fields`` order. Step lines (`123.batch`),
    /// which appear without `-X`, are skipped.
    ///
    /// - Throws: ``SlurmError/unparsableOutput(command:line:reason:)`` naming the bad line.
    public static func parse(_ text: String, command: String = "sacct") throws -> [SacctRecord] {
        var records: [SacctRecord] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let f = line.split(separator: "|", maxSplits: 8, omittingEmptySubsequences: false)
            func bad(_ reason: String) -> SlurmError {
                .unparsableOutput(command: command, line: String(line), reason: reason)
            }
            guard f.count == 9 else { throw bad("expected 9 '|'-separated fields") }
            if f[0].contains(".") { continue }
            guard let parsedID = parseJobID(f[0]) else {
                throw bad("job id '\(f[0])' is not N, N_M or N_[…]")
            }
            let (id, pending) = parsedID
            let codes = f[3].split(separator: ":")
            guard codes.count == 2, let exit = Int(codes[0]), let signal = Int(codes[1]) else {
                throw bad("exit code '\(f[3])' is not N:S")
            }
            records.append(SacctRecord(
                id: id, pendingArrayTasks: pending, name: String(f[1]),
                state: SlurmJobState(parsing: String(f[2])), exitCode: exit, signal: signal,
                nodeList: SlurmText.nonEmpty(f[4]), start: SlurmText.date(f[5]),
                end: SlurmText.date(f[6]), elapsedSeconds: SlurmText.seconds(f[7]),
                comment: SlurmText.nonEmpty(f[8])))
        }
        return records
    }

    /// `123`, `123_4`, or `123_[2-5%2]` (pending tasks not yet split off).
    static func parseJobID(_ field: Substring) -> (SlurmJobID, String?)? {
        if let open = field.firstIndex(of: "["), field.last == "]",
           let job = Int(field[..<open].dropLast(field[..<open].hasSuffix("_") ? 1 : 0)) {
            let inner = field[field.index(after: open)..<field.index(before: field.endIndex)]
            return (SlurmJobID(job: job), String(inner))
        }
        return SlurmJobID(parsing: field).map { ($0, nil) }
    }
}
