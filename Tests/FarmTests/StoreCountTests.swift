import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: trigger-kept job counts")
struct StoreCountTests {
    @Test("jobCount equals a GROUP BY recount after random submissions, updates, resets and cancels")
    func countsSurviveRandomTransitions() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 300, in: directory)
        let units = try store.jobs(request: "r1").map(\.id)
        var random = SplitMix64(seed: 20_240_611)

        for round in 0..<40 {
            let picked = (0..<25).map { _ in units[Int(random.next() % UInt64(units.count))] }
            let unique = Array(Set(picked)).sorted()
            switch random.next() % 5 {
            case 0:
                let current = try unique.compactMap { try store.job(request: "r1", id: $0) }
                let submittable = current.filter { $0.state == .planned }.map(\.id)
                let token = "tok-\(round)"
                try store.recordSubmissionToken(token, request: "r1", arrayGroup: "mix", jobs: submittable.enumerated()
                    .map { SubmittedJob(job: $1, arrayTaskID: $0) })
                try store.markSubmitted(token: token, slurmJobID: "\(1000 + round)")
            case 1:
                let open = try store.openAttempts(request: "r1")
                let states: [JobState] = [.running, .done, .failed, .cancelled, .queued]
                try store.updateAttempts(open.prefix(20).map {
                    AttemptUpdate(attempt: $0.id, state: states[Int(random.next() % 5)], reason: "r\(round)")
                })
            case 2: try store.markJobsDone(request: "r1", jobs: unique)
            case 3: try store.resetForResume(request: "r1", jobs: unique)
            default: try store.markJobsCancelled(request: "r1", jobs: unique, reason: "round \(round)")
            }
            #expect(try store.statusCounts(request: "r1") == StoreFixture.recount(store, request: "r1"),
                    "after round \(round)")
        }
        let total = try store.statusCounts(request: "r1").values.flatMap(\.values).reduce(0, +)
        #expect(total == 601)
    }

    @Test("deleting units (and requests, by cascade) keeps the counts exact")
    func deletesKeepCounts() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 10, in: directory)
        try store.connection.execute("DELETE FROM jobUnit WHERE request = 'r1' AND id IN ('p0', 'p1', 'join')")
        #expect(try store.statusCounts(request: "r1") == StoreFixture.recount(store, request: "r1"))
        #expect(try store.statusCounts(request: "r1")[.process] == [.planned: 8])
        try store.connection.execute("DELETE FROM request WHERE id = 'r1'")
        #expect(try store.connection.integer("SELECT count(*) FROM jobCount") == 0)
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 0)
    }

    @Test("status over a database of one million job units reads exact counts from jobCount")
    func millionUnits() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        // Ten requests of 100,000 units keep the test's memory small; the database holds 1,000,000 rows.
        for index in 0..<10 {
            let id = "big\(index)"
            var (jobs, _) = StoreFixture.plan(id, pairs: 50_000, withPaths: false)
            jobs.removeLast()  // the join: exactly 100,000 units per request
            try store.createRequest(StoreFixture.request(id), jobs: jobs, dependencies: [])
        }
        #expect(try store.connection.integer("SELECT count(*) FROM jobUnit") == 1_000_000)
        try store.markJobsFailed(request: "big7", failures: (0..<250).map { (job: "p\($0 * 7)", error: "boom") })
        try store.markJobsDone(request: "big7", jobs: (0..<1_000).map { "g\($0)" })

        let counts = try store.statusCounts(request: "big7")

        #expect(counts == [.gather: [.planned: 49_000, .done: 1_000], .process: [.planned: 49_750, .failed: 250]])
        #expect(counts == (try StoreFixture.recount(store, request: "big7")))
        #expect(try store.failedJobs(request: "big7", limit: 20).count == 20)
        #expect(try store.statusCounts(request: "big0") == [.gather: [.planned: 50_000], .process: [.planned: 50_000]])
        // The status queries use indexes, never a scan of jobUnit.
        let plan = try store.connection.withStatement(
            "EXPLAIN QUERY PLAN SELECT * FROM jobUnit WHERE request = 'big7' AND state = 'failed'") { row in
            var details: [String] = []
            while try row.step() { details.append(row.string(3)) }
            return details.joined(separator: "; ")
        }
        #expect(plan.contains("USING INDEX jobUnit_state"), "\(plan)")
    }
}
