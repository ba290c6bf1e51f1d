import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: readers beside the writer, and lock timeouts")
struct StoreConcurrencyTests {
    @Test("a second process-like reader sees consistent counts while the controller commits",
          arguments: [JournalModePolicy.wal, .delete])
    func readerBesideWriter(policy: JournalModePolicy) throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("calfarm.sqlite")
        let writer = try FarmStore(path: path, journal: policy)
        let (jobs, edges) = StoreFixture.plan("r1", pairs: 2_000)
        try writer.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        let reader = try FarmStore(path: path, journal: policy, readOnly: true)
        #expect(reader.journalMode == (policy == .wal ? .wal : .delete))

        // When the writer marks units done in 100 short transactions on another thread
        let errors = LockedBox<[String]>([])
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                for batch in 0..<100 {
                    try writer.markJobsDone(request: "r1", jobs: (0..<20).map { "g\(batch * 20 + $0)" })
                }
            } catch {
                errors.mutate { $0.append("writer: \(error)") }
            }
            finished.signal()
        }
        // Then every read meanwhile sees a whole number of batches, and nothing is "locked"
        var reads = 0
        var writerDone = false
        while !writerDone {
            writerDone = finished.wait(timeout: .now()) == .success
            do {
                let gather = try reader.statusCounts(request: "r1")[.gather] ?? [:]
                let done = gather[.done] ?? 0
                #expect(done + (gather[.planned] ?? 0) == 2_000)
                #expect(done % 20 == 0, "a read saw half a transaction: \(done)")
                reads += 1
            } catch {
                errors.mutate { $0.append("reader: \(error)") }
            }
        }
        #expect(errors.current.isEmpty, "\(errors.current)")
        #expect(reads > 0)
        #expect(try reader.statusCounts(request: "r1")[.gather] == [.done: 2_000])
    }

    @Test("a writer kept out beyond the busy timeout gets a clear 'locked' error naming the database")
    func lockedBeyondBusyTimeout() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 2, in: directory)
        let other = try FarmStore(path: store.path, busyTimeout: .milliseconds(200))
        try store.connection.execute("BEGIN IMMEDIATE")
        defer { try? store.connection.execute("ROLLBACK") }

        let started = Date()
        #expect {
            try other.setRequestState(.running, request: "r1")
        } throws: { error in
            guard case let .locked(path, operation, message) = error as? StoreError else { return false }
            return path == store.path && operation.hasPrefix("setRequestState") && message.contains("locked")
                && (error as? StoreError)?.description.contains("busy timeout") == true
        }
        #expect(Date().timeIntervalSince(started) >= 0.15, "the busy timeout was not honoured")
    }

    @Test("a writer waits for a short competing transaction instead of failing")
    func writerWaitsForShortTransaction() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 2, in: directory)
        let other = try FarmStore(path: store.path, busyTimeout: .seconds(10))
        try store.connection.execute("BEGIN IMMEDIATE")
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            try? store.connection.execute("COMMIT")
            released.signal()
        }
        try other.setRequestState(.running, request: "r1")
        released.wait()
        #expect(try store.request("r1")?.state == .running)
    }
}
