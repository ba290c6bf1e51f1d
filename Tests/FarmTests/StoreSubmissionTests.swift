import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: submissions, attempts, failures and resume")
struct StoreSubmissionTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_100)

    /// Records and marks one array submission of the first `count` gathers.
    func submitGathers(_ store: FarmStore, count: Int, token: String = "tok-1",
                       slurmJobID: String = "4242") throws -> [AttemptRecord] {
        let carried = (0..<count).map { SubmittedJob(job: "g\($0)", arrayTaskID: $0) }
        try store.recordSubmissionToken(token, request: "r1", arrayGroup: "gather", jobs: carried, at: t0)
        return try store.markSubmitted(token: token, slurmJobID: slurmJobID, at: t0)
    }

    @Test("a token recorded before sbatch stays findable until it is marked submitted")
    func tokenBeforeSubmission() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)
        let carried = [SubmittedJob(job: "g0", arrayTaskID: 0), SubmittedJob(job: "g1", arrayTaskID: 1)]

        // Given a token recorded, then the controller "killed" before sbatch returned
        try store.recordSubmissionToken("tok-1", request: "r1", arrayGroup: "gather", jobs: carried, at: t0)
        let reopened = try FarmStore(path: store.path)

        // Then resume finds it, with the units it carries, and nothing is queued yet
        let pending = try reopened.submissions(request: "r1")
        #expect(pending.map(\.state) == [.recorded])
        #expect(pending.first?.token == "tok-1")
        #expect(try reopened.submittedJobs(token: "tok-1") == carried)
        #expect(try reopened.statusCounts(request: "r1")[.gather] == [.planned: 4])
        #expect(throws: StoreError.self) {
            try reopened.recordSubmissionToken("tok-1", request: "r1", arrayGroup: "gather", jobs: [], at: t0)
        }
    }

    @Test("marking a submission creates one queued attempt per unit, and repeating it changes nothing")
    func markSubmittedCreatesAttempts() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)

        let attempts = try submitGathers(store, count: 3)

        #expect(attempts.map(\.job) == ["g0", "g1", "g2"])
        #expect(attempts.map(\.arrayTaskID) == [0, 1, 2])
        #expect(attempts.allSatisfy { $0.state == .queued && $0.number == 1 && $0.slurmJobID == "4242"
            && $0.executor == "slurm" && $0.token == "tok-1" && $0.submittedAt == t0 })
        #expect(try store.job(request: "r1", id: "g1")?.state == .queued)
        #expect(try store.job(request: "r1", id: "g1")?.attempts == 1)
        #expect(try store.statusCounts(request: "r1")[.gather] == [.queued: 3, .planned: 1])
        #expect(try store.submissions(request: "r1").first?.state == .submitted)
        #expect(try store.openAttempts(request: "r1") == attempts)
        #expect(try store.openAttempts() == attempts)

        let again = try store.markSubmitted(token: "tok-1", slurmJobID: "4242", at: t0)
        #expect(again == attempts)
        #expect(try store.job(request: "r1", id: "g1")?.attempts == 1)
        #expect(throws: StoreError.unknownToken(path: store.path, token: "nope")) {
            try store.markSubmitted(token: "nope", slurmJobID: "1")
        }
    }

    @Test("a submission of more units than one multi-row insert holds stores every attempt with its log path, in task order")
    func largeSubmissionWritesAttemptsWithLogPaths() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 150, in: directory)
        // Two full 64-row inserts and a partial one; handed over in reverse task order.
        let count = 2 * FarmStore.submissionJobInsert.rowsPerInsert + 7
        let carried = (0..<count).reversed().map { SubmittedJob(job: "g\($0)", arrayTaskID: $0 + 1) }
        try store.recordSubmissionToken("tok-big", request: "r1", arrayGroup: "gather", jobs: carried, at: t0)
        #expect(try store.submittedJobs(token: "tok-big") == carried.reversed())
        let logs = AttemptLogPaths(prefix: "work/logs/gather_777_", suffix: ".log")

        let attempts = try store.markSubmitted(token: "tok-big", slurmJobID: "777", logPaths: logs, at: t0)

        #expect(attempts.map(\.job) == (0..<count).map { "g\($0)" })
        #expect(attempts.map(\.arrayTaskID) == Array(1...count))
        #expect(attempts.map(\.id) == attempts.map(\.id).sorted())
        #expect(attempts.map(\.logPath) == (1...count).map { "work/logs/gather_777_\($0).log" })
        #expect(attempts.allSatisfy { $0.number == 1 && $0.state == .queued && $0.executor == "slurm"
            && $0.token == "tok-big" && $0.slurmJobID == "777" && $0.submittedAt == t0 && $0.request == "r1" })
        // What is stored is what was returned, unit by unit.
        for attempt in [attempts[0], attempts[64], attempts[count - 1]] {
            #expect(try store.attempts(request: "r1", job: attempt.job) == [attempt])
        }
        #expect(try store.openAttempts(request: "r1") == attempts)
        #expect(try store.job(request: "r1", id: "g134")?.state == .queued)
        #expect(try store.job(request: "r1", id: "g134")?.attempts == 1)
        #expect(try store.job(request: "r1", id: "g135")?.state == .planned)
        #expect(try store.statusCounts(request: "r1")[.gather] == [.queued: count, .planned: 150 - count])
        #expect(try StoreFixture.recount(store, request: "r1") == store.statusCounts(request: "r1"))
        #expect(try store.markSubmitted(token: "tok-big", slurmJobID: "777", logPaths: logs, at: t0) == attempts)
    }

    @Test("a plain job's log is task 0's, and a second submission of a unit is its attempt 2 with its own log")
    func plainJobAndSecondAttemptLogPaths() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 2, in: directory)
        func submitJoin(_ token: String, task: Int?, slurmJobID: String, logs: AttemptLogPaths?) throws -> [AttemptRecord] {
            let carried = [SubmittedJob(job: "join", arrayTaskID: task)]
            try store.recordSubmissionToken(token, request: "r1", arrayGroup: "join", jobs: carried, at: t0)
            return try store.markSubmitted(token: token, slurmJobID: slurmJobID, logPaths: logs, at: t0)
        }
        let join = try submitJoin("tok-join", task: nil, slurmJobID: "90",
                                  logs: AttemptLogPaths(prefix: "logs/join_90_", suffix: ".log"))
        #expect(join.map(\.logPath) == ["logs/join_90_0.log"])
        #expect(join.first?.arrayTaskID == nil)

        try store.resetForResume(request: "r1", jobs: ["join"], at: t0)
        let again = try submitJoin("tok-join-2", task: 3, slurmJobID: "91", logs: nil)

        #expect(again.map(\.number) == [2])
        #expect(again.first?.logPath == nil)
        let stored = try store.attempts(request: "r1", job: "join")
        #expect(stored.map(\.logPath) == ["logs/join_90_0.log", nil])
        #expect(stored.map(\.state) == [.cancelled, .queued])
        #expect(try store.job(request: "r1", id: "join")?.attempts == 2)
        #expect(try store.statusCounts(request: "r1")[.join] == [.queued: 1])
    }

    @Test("a refused submission leaves its units planned")
    func failedSubmission() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 2, in: directory)
        try store.recordSubmissionToken("tok-x", request: "r1", arrayGroup: "gather",
                                        jobs: [SubmittedJob(job: "g0")], at: t0)
        try store.markSubmissionFailed(token: "tok-x", message: "sbatch: error: invalid partition")
        let submission = try #require(try store.submissions(request: "r1").first)
        #expect(submission.state == .failed)
        #expect(submission.message == "sbatch: error: invalid partition")
        #expect(try store.job(request: "r1", id: "g0")?.state == .planned)
    }

    @Test("attempt updates move their unit; a stale running report does not undo an end")
    func attemptUpdatesMoveUnits() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)
        let attempts = try submitGathers(store, count: 3)
        let start = t0.addingTimeInterval(10)
        let end = t0.addingTimeInterval(70)

        try store.updateAttempts([
            AttemptUpdate(attempt: attempts[0].id, state: .running, node: "max-exfl001", startedAt: start),
            AttemptUpdate(attempt: attempts[1].id, state: .failed, exitCode: 1, node: "max-exfl002",
                          startedAt: start, endedAt: end, reason: "TIMEOUT", logPath: "logs/4242_1.out"),
            AttemptUpdate(attempt: attempts[2].id, state: .done, exitCode: 0, endedAt: end),
        ])
        #expect(try store.statusCounts(request: "r1")[.gather] == [.running: 1, .failed: 1, .done: 1, .planned: 1])
        #expect(try store.job(request: "r1", id: "g1")?.lastError == "TIMEOUT")
        #expect(try store.openAttempts(request: "r1").map(\.job) == ["g0"])

        // squeue lags: g1 reported running again after sacct said TIMEOUT
        try store.updateAttempts([AttemptUpdate(attempt: attempts[1].id, state: .running, node: "other")])
        let g1 = try #require(try store.attempts(request: "r1", job: "g1").first)
        #expect(g1.state == .failed)
        #expect(g1.node == "other")
        #expect(g1.exitCode == 1)
        #expect(g1.startedAt == start)
        #expect(try store.job(request: "r1", id: "g1")?.state == .failed)

        #expect(throws: StoreError.unknownAttempt(path: store.path, attempt: 999)) {
            try store.updateAttempts([AttemptUpdate(attempt: attempts[0].id, state: .done),
                                      AttemptUpdate(attempt: 999, state: .done)])
        }
        #expect(try store.job(request: "r1", id: "g0")?.state == .running)
    }

    @Test("failed units are listed with the reason, exit code and log of their latest attempt")
    func failedJobsListing() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)
        let attempts = try submitGathers(store, count: 2)
        try store.updateAttempts([AttemptUpdate(attempt: attempts[1].id, state: .failed, exitCode: 137,
                                                reason: "OUT_OF_MEMORY", logPath: "logs/4242_1.out")])
        try store.markJobsFailed(request: "r1", failures: [(job: "p3", error: "channel 3: missing raw file")])

        let failed = try store.failedJobs(request: "r1")

        #expect(failed.map(\.job.id) == ["g1", "p3"])
        #expect(failed[0].lastAttempt?.exitCode == 137)
        #expect(failed[0].reason == "OUT_OF_MEMORY")
        #expect(failed[0].logPath == "logs/4242_1.out")
        #expect(failed[1].lastAttempt == nil)
        #expect(failed[1].reason == "channel 3: missing raw file")
        #expect(failed[1].logPath == "work/logs/p3.log")
        #expect(try store.failedJobs(request: "r1", limit: 1).count == 1)
    }

    @Test("marking done or failed closes the open attempt with the same outcome")
    func markingClosesAttempts() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)
        _ = try submitGathers(store, count: 2)
        let end = t0.addingTimeInterval(100)

        try store.markJobsDone(request: "r1", jobs: ["g0"], at: end)
        try store.markJobsFailed(request: "r1", failures: [(job: "g1", error: "result file missing")], at: end)
        try store.markJobsCancelled(request: "r1", jobs: ["p1"], reason: "dependency g1 failed", at: end)

        let g0 = try #require(try store.attempts(request: "r1", job: "g0").last)
        let g1 = try #require(try store.attempts(request: "r1", job: "g1").last)
        #expect(g0.state == .done && g0.endedAt == end)
        #expect(g1.state == .failed && g1.reason == "result file missing")
        #expect(try store.job(request: "r1", id: "p1")?.lastError == "dependency g1 failed")
        #expect(try store.openAttempts().isEmpty)
        #expect(try store.statusCounts(request: "r1")[.process] == [.planned: 3, .cancelled: 1])
    }

    @Test("reset for resume plans units again, closes their open attempts, and the next attempt is number 2")
    func resetForResume() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)
        let attempts = try submitGathers(store, count: 3)
        try store.updateAttempts([AttemptUpdate(attempt: attempts[0].id, state: .failed, reason: "NODE_FAIL"),
                                  AttemptUpdate(attempt: attempts[2].id, state: .done)])

        try store.resetForResume(request: "r1", jobs: ["g0", "g1"], at: t0)

        #expect(try store.statusCounts(request: "r1")[.gather] == [.planned: 3, .done: 1])
        let g0 = try #require(try store.job(request: "r1", id: "g0"))
        #expect(g0.state == .planned && g0.lastError == nil && g0.attempts == 1)
        let g1Attempt = try #require(try store.attempts(request: "r1", job: "g1").first)
        #expect(g1Attempt.state == .cancelled && g1Attempt.reason == "superseded by resume")
        #expect(try store.attempts(request: "r1", job: "g0").first?.reason == "NODE_FAIL")

        // A late sacct report on the old attempt does not undo the reset
        try store.updateAttempts([AttemptUpdate(attempt: attempts[0].id, state: .failed, exitCode: 1)])
        #expect(try store.job(request: "r1", id: "g0")?.state == .planned)

        try store.setTimeLimit("02:00:00", request: "r1", jobs: ["g0"])
        try store.recordSubmissionToken("tok-2", request: "r1", arrayGroup: "gather-retry",
                                        jobs: [SubmittedJob(job: "g0", arrayTaskID: 0)], at: t0)
        let retry = try store.markSubmitted(token: "tok-2", slurmJobID: "5000", at: t0)
        #expect(retry.map(\.number) == [2])
        #expect(try store.attempts(request: "r1", job: "g0").map(\.number) == [1, 2])
        #expect(try store.job(request: "r1", id: "g0")?.timeLimit == "02:00:00")
        #expect(throws: StoreError.unknownJob(path: store.path, request: "r1", job: "ghost")) {
            try store.resetForResume(request: "r1", jobs: ["ghost"])
        }
    }
}
