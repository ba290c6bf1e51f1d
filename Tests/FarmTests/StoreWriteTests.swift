import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: requests, job units and rollback")
struct StoreWriteTests {
    @Test("a bulk-created request reads back unit for unit, edge for edge, with counts per step")
    func bulkCreate() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let (jobs, edges) = StoreFixture.plan("r1", pairs: 5_000)

        try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)

        #expect(try store.jobs(request: "r1") == jobs)
        #expect(Set(try store.dependencies(request: "r1")) == Set(edges))
        #expect(try store.statusCounts(request: "r1") == [.gather: [.planned: 5_000], .process: [.planned: 5_000],
                                                          .join: [.planned: 1]])
        #expect(try store.job(request: "r1", id: "g42") == jobs[84])
        #expect(try store.job(request: "r1", id: "nope") == nil)
        #expect(try store.request("r1") == StoreFixture.request("r1"))
    }

    @Test("units whose columns switch between values and NULL from row to row read back exactly")
    func bulkCreateVaryingColumns() throws {
        // Three kinds of rows in turn: the cycle (3) does not divide the rows per INSERT, so each
        // slot of the multi-row statement sees every column change, including to and from NULL.
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let jobs = (0..<(3 * FarmStore.unitInsert.rowsPerInsert + 5)).map { i in
            switch i % 3 {
            case 0:
                JobUnitRecord(request: "r1", id: "g\(i)", step: .gather, runs: [9001], channel: i % 16, sequence: i,
                              specPath: "s/\(i)", resultPath: "r/\(i).json", logPath: "l/\(i)", lastError: "e\(i)",
                              arrayGroup: "gather", timeLimit: "01:00:00")
            case 1:
                JobUnitRecord(request: "r1", id: "p\(i)", step: .process, runs: [9001, 9002], asics: [i % 16 + 1],
                              state: .queued, attempts: 2)
            default:
                JobUnitRecord(request: "r1", id: "m\(i)", step: .merge, channel: 3, state: .failed,
                              resultPath: "r/\(i).json", arrayGroup: "merge")
            }
        }
        let edges = jobs.indices.filter { $0 % 3 == 1 }.map {
            DependencyRecord(request: "r1", job: jobs[$0].id, dependsOn: jobs[$0 - 1].id, kind: .success)
        }

        try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)

        #expect(try store.jobs(request: "r1") == jobs)
        #expect(Set(try store.dependencies(request: "r1")) == Set(edges))
        #expect(try StoreFixture.recount(store, request: "r1") == [.gather: [.planned: 66], .process: [.queued: 66],
                                                                   .merge: [.failed: 65]])
    }

    @Test("a duplicate unit in the second half of a bulk insert leaves nothing of the request behind")
    func failedCreateRollsBack() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        var (jobs, edges) = StoreFixture.plan("r1", pairs: 1_000)
        jobs.insert(jobs[10], at: 1_500)  // g5 again, after 1,500 good rows

        #expect {
            try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        } throws: { error in
            guard case let .constraint(path, operation, message) = error as? StoreError else { return false }
            return path == store.path && operation.hasPrefix("createRequest") && message.contains("UNIQUE")
        }
        #expect(try store.request("r1") == nil)
        #expect(try store.connection.integer("SELECT count(*) FROM jobUnit") == 0)
        #expect(try store.connection.integer("SELECT count(*) FROM jobCount") == 0)
        #expect(try store.statusCounts(request: "r1").isEmpty)
        #expect(try store.requests().isEmpty)

        // The same request without the duplicate then goes in whole.
        jobs.remove(at: 1_500)
        try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        #expect(try store.jobs(request: "r1").count == 2_001)
        // An edge to a unit that does not exist is refused the same way.
        edges.append(DependencyRecord(request: "r2", job: "p0", dependsOn: "ghost"))
        let (jobs2, _) = StoreFixture.plan("r2", pairs: 1)
        #expect(throws: StoreError.self) {
            try store.createRequest(StoreFixture.request("r2"), jobs: jobs2, dependencies: [edges.last!])
        }
        #expect(try store.request("r2") == nil)
    }

    @Test("units or edges of another request are refused with a message naming them")
    func foreignUnitsRefused() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let (jobs, _) = StoreFixture.plan("other", pairs: 1)
        #expect {
            try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: [])
        } throws: { error in
            (error as? StoreError)?.description.contains("job unit g0 belongs to request 'other'") == true
        }
        #expect(try store.request("r1") == nil)
    }

    @Test("a failing batch update rolls back the units it had already changed")
    func failedBatchRollsBack() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 4, in: directory)

        #expect(throws: StoreError.unknownJob(path: store.path, request: "r1", job: "ghost")) {
            try store.markJobsDone(request: "r1", jobs: ["g0", "g1", "ghost"])
        }
        #expect(try store.job(request: "r1", id: "g0")?.state == .planned)
        #expect(try store.statusCounts(request: "r1")[.gather] == [.planned: 4])
    }

    @Test("requests list newest first; state and events are stored")
    func requestsAndEvents() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        for (index, id) in ["old", "new", "mid"].enumerated() {
            let created = Date(timeIntervalSince1970: [1_000, 3_000, 2_000][index])
            try store.createRequest(StoreFixture.request(id, createdAt: created), jobs: [], dependencies: [])
        }
        #expect(try store.latestRequest()?.id == "new")
        #expect(try store.requests(limit: 2).map(\.id) == ["new", "mid"])

        try store.setRequestState(.partial, request: "mid")
        #expect(try store.request("mid")?.state == .partial)
        #expect(throws: StoreError.unknownRequest(path: store.path, request: "nope")) {
            try store.setRequestState(.done, request: "nope")
        }

        let time = Date(timeIntervalSince1970: 5_000)
        let ids = try store.appendEvents([
            EventRecord(request: "mid", time: time, kind: "submitted", message: "3 arrays"),
            EventRecord(request: "new", time: time, kind: "cancel", message: "by user"),
        ])
        #expect(ids.count == 2)
        #expect(try store.events(request: "mid") == [
            EventRecord(id: ids[0], request: "mid", time: time, kind: "submitted", message: "3 arrays"),
        ])
    }

    @Test("a value the code cannot read is reported with its table, column and value")
    func corruptValueNamed() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 1, in: directory)
        try store.connection.execute("UPDATE jobUnit SET step = 'calibrate' WHERE id = 'g0'")
        #expect(throws: StoreError.corruptValue(path: store.path, table: "jobUnit", column: "step", value: "calibrate")) {
            try store.jobs(request: "r1")
        }
        try store.connection.execute("UPDATE jobUnit SET step = 'gather', runs = '[9001,x]' WHERE id = 'g0'")
        #expect(throws: StoreError.corruptValue(path: store.path, table: "jobUnit", column: "runs", value: "[9001,x]")) {
            try store.job(request: "r1", id: "g0")
        }
    }

    @Test("request state follows from the unit counts")
    func derivedRequestState() {
        #expect(RequestState.derived(from: [:]) == .planned)
        #expect(RequestState.derived(from: [.planned: 3]) == .planned)
        #expect(RequestState.derived(from: [.planned: 2, .running: 1]) == .running)
        #expect(RequestState.derived(from: [.planned: 2, .done: 1]) == .running)
        #expect(RequestState.derived(from: [.done: 3]) == .done)
        #expect(RequestState.derived(from: [.done: 2, .failed: 1]) == .partial)
        #expect(RequestState.derived(from: [.failed: 1, .cancelled: 2]) == .failed)
        #expect(RequestState.derived(from: [.cancelled: 2, .planned: 1]) == .cancelled)
    }
}
