import Foundation
import Testing
@testable import ControllerCommands
@testable import Farm

/// Counts with every field set; `pending`, `running` and so on default to 0.
private func counts(total: Int, pending: Int = 0, running: Int = 0, done: Int = 0, failed: Int = 0,
                    cancelled: Int = 0) -> StatusReport.Counts {
    var counts = StatusReport.Counts()
    (counts.total, counts.pending, counts.running, counts.done, counts.failed, counts.cancelled)
        = (total, pending, running, done, failed, cancelled)
    return counts
}

/// 2024-05-01T12:00:00Z
private let created = Date(timeIntervalSince1970: 1_714_564_800)

/// A dark request that ended partial: one process chunk failed, its sibling was cancelled, and
/// join recorded channel 3's first eight ASICs as missing.
private let partialReport = StatusReport(
    request: "dark-20240501-120000-ab12", state: "partial", measurement: "dark", executor: "slurm", createdAt: created,
    jobs: counts(total: 20, done: 18, failed: 1, cancelled: 1),
    steps: ["preprocess": counts(total: 3, done: 3), "gather": counts(total: 12, done: 12),
            "process": counts(total: 4, done: 2, failed: 1, cancelled: 1), "join": counts(total: 1, done: 1)],
    stepOrder: ["preprocess", "gather", "process", "join"],
    failed: [.init(job: "process.ch03.a01-08", step: "process", state: "failed", attempts: 2,
                   reason: "exit code 1: HDF5: file '/out/x.h5' is truncated",
                   log: "/out/calfarm/r/logs/process.ch03_1234_1.log", exitCode: 1, slurmJobID: "1234_1")],
    missing: [.init(channel: 3, asics: [1, 2, 3, 4, 5, 6, 7, 8], reason: "no process product; constants 0/NaN and pixel_mask 1 there")],
    notes: ["SLURM accounting is disabled; states from squeue and result files"],
    outputDir: "/out")

@Suite("status output: table and JSON")
struct StatusTableTests {
    @Test("a partial request renders the per-step table, the failed job with reason and log, missing ASICs and notes")
    func partialGolden() {
        let expected = """
            request dark-20240501-120000-ab12  dark  executor slurm  state partial
            created 2024-05-01T12:00:00Z  output /out

            step        total  pending  running  done  failed  cancelled  progress
            preprocess      3        0        0     3       0          0  [####################] 100%
            gather         12        0        0    12       0          0  [####################] 100%
            process         4        0        0     2       1          1  [##########!!!!!!!!!!]  50%
            join            1        0        0     1       0          0  [####################] 100%
            all            20        0        0    18       1          1  [##################!!]  90%

            failed jobs (1):
              process.ch03.a01-08 (process): failed, attempts 2, exit 1, slurm 1234_1
                reason: exit code 1: HDF5: file '/out/x.h5' is truncated
                log: /out/calfarm/r/logs/process.ch03_1234_1.log

            missing:
              channel 3: ASICs 1-8 — no process product; constants 0/NaN and pixel_mask 1 there

            notes:
              SLURM accounting is disabled; states from squeue and result files
            """
        #expect(StatusTable(report: partialReport).render() == expected)
    }

    @Test("a running request without failures shows only the table; a failed job without log says so")
    func runningGolden() {
        var report = partialReport
        report.state = "running"
        report.jobs = counts(total: 8, pending: 5, running: 2, done: 1)
        report.steps = ["gather": counts(total: 8, pending: 5, running: 2, done: 1)]
        report.stepOrder = ["gather", "process"]  // a step without counts is skipped
        (report.failed, report.missing, report.notes) = ([], [], [])
        let expected = """
            request dark-20240501-120000-ab12  dark  executor slurm  state running
            created 2024-05-01T12:00:00Z  output /out

            step    total  pending  running  done  failed  cancelled  progress
            gather      8        5        2     1       0          0  [##..................]  12%
            all         8        5        2     1       0          0  [##..................]  12%
            """
        #expect(StatusTable(report: report).render() == expected)

        report.failed = [.init(job: "join", step: "join", state: "cancelled", attempts: 0, reason: "cancelled by the user",
                               log: nil, exitCode: nil, slurmJobID: nil)]
        #expect(StatusTable(report: report).render().hasSuffix("""
            failed jobs (1):
              join (join): cancelled, attempts 0
                reason: cancelled by the user
                log: (none recorded)
            """))
    }

    @Test("the progress bar marks failures even when they are a small share, and an empty step has no percentage")
    func progressBar() {
        let table = StatusTable(report: partialReport)
        #expect(table.progress(counts(total: 1000, done: 999, failed: 1)) == "[###################!]  99%")
        #expect(table.progress(counts(total: 0)) == "[....................]   -")
        #expect(table.progress(counts(total: 3, pending: 3)) == "[....................]   0%")
    }

    @Test("the JSON has request, state and jobs counts, sorted keys and ISO-8601 dates")
    func jsonShape() throws {
        let text = try JSONOutput.encode(partialReport)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["request"] as? String == "dark-20240501-120000-ab12")
        #expect(object["state"] as? String == "partial")
        #expect(object["createdAt"] as? String == "2024-05-01T12:00:00Z")
        let jobs = try #require(object["jobs"] as? [String: Int])
        #expect(jobs == ["total": 20, "pending": 0, "running": 0, "done": 18, "failed": 1, "cancelled": 1])
        let failed = try #require((object["failed"] as? [[String: Any]])?.first)
        #expect(failed["reason"] as? String == "exit code 1: HDF5: file '/out/x.h5' is truncated")
        #expect(failed["log"] as? String == "/out/calfarm/r/logs/process.ch03_1234_1.log")
        #expect((object["steps"] as? [String: Any])?.keys.sorted() == ["gather", "join", "preprocess", "process"])
        // Sorted keys: top-level keys appear in alphabetical order in the text.
        let positions = ["createdAt", "executor", "failed", "jobs", "measurement", "missing", "notes", "outputDir",
                         "request", "state", "stepOrder", "steps"].compactMap { text.range(of: "\n  \"\($0)\"")?.lowerBound }
        #expect(positions.count == 12 && positions == positions.sorted())
        #expect(text.contains("\"/out\""), "slashes are not escaped")
        #expect(try JSONDecoder.iso8601.decode(StatusReport.self, from: Data(text.utf8)) == partialReport)
    }

    @Test("submit --wait --json is the submit outcome with the final status under \"status\"")
    func submitWithStatus() throws {
        let outcome = SubmitOutcome(request: "dark-1", jobs: 20, sbatchCalls: 7, executor: "slurm", warnings: [])
        let text = try JSONOutput.encode(SubmitWithStatus(outcome: outcome, status: partialReport))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["request"] as? String == "dark-1" && object["jobs"] as? Int == 20 && object["sbatchCalls"] as? Int == 7)
        #expect((object["status"] as? [String: Any])?["state"] as? String == "partial")
    }

    @Test("the one-line summary counts what matters while waiting")
    func summaryLine() {
        #expect(RequestFollower.summary(partialReport)
                == "request dark-20240501-120000-ab12: 18/20 done, 0 running, 0 pending, 1 failed, 1 cancelled (partial)")
    }
}

extension JSONDecoder {
    fileprivate static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
