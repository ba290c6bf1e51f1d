import CalFarmTestSupport
import Foundation
import Testing
@testable import Farm

/// The controller leases of schema v4: one holder per (request, role), across processes that
/// share the database; an expired lease or a dead holder of this host gives way.
@Suite("controller leases")
struct StoreLeaseTests {
    let now = Date()

    @Test("a lease held by a live holder is refused to another, renewed by its holder, and free once released")
    func exclusion() throws {
        let dir = try TemporaryDirectory("calfarm-lease")
        let store = try StoreFixture.store(in: dir)
        // A second connection, as a second controller process would have
        let other = try FarmStore(path: dir.file("state/calfarm.sqlite"))
        let first = LeaseHolder.current
        let second = LeaseHolder(host: first.host, pid: first.pid, nonce: "second")
        #expect(try store.acquireLease(request: "r1", role: .supervisor, holder: first, expiresAt: now + 60,
                                       slurmJobID: "41", now: now) == nil)
        let refused = try other.acquireLease(request: "r1", role: .supervisor, holder: second, expiresAt: now + 60, now: now)
        #expect(refused?.holder == first.description && refused?.slurmJobID == "41")
        // The holder renews; the other role is independent
        #expect(try store.acquireLease(request: "r1", role: .supervisor, holder: first, expiresAt: now + 120, now: now) == nil)
        #expect(try other.acquireLease(request: "r1", role: .submitter, holder: second, expiresAt: now + 60, now: now) == nil)
        #expect(try other.lease(request: "r1", role: .supervisor)?.expiresAt == Date(timeIntervalSince1970: (now + 120).timeIntervalSince1970))
        // Releasing by someone else does nothing; by the holder frees it
        try other.releaseLease(request: "r1", role: .supervisor, holder: second)
        #expect(try store.lease(request: "r1", role: .supervisor) != nil)
        try store.releaseLease(request: "r1", role: .supervisor, holder: first)
        #expect(try other.acquireLease(request: "r1", role: .supervisor, holder: second, expiresAt: now + 60, now: now) == nil)
    }

    @Test("an expired lease, or one whose holder process on this host has died, is taken over")
    func takeOver() throws {
        let dir = try TemporaryDirectory("calfarm-lease")
        let store = try StoreFixture.store(in: dir)
        let live = LeaseHolder(host: "another-host", pid: 1, nonce: "a")
        #expect(try store.acquireLease(request: "r1", role: .submitter, holder: live, expiresAt: now + 10, now: now) == nil)
        // Another host's holder is trusted until its lease expires
        #expect(try store.acquireLease(request: "r1", role: .submitter, holder: .current, expiresAt: now + 60, now: now + 5) != nil)
        #expect(try store.acquireLease(request: "r1", role: .submitter, holder: .current, expiresAt: now + 60, now: now + 11) == nil)
        // A holder of this host that is gone (a pid that no longer exists) is not waited for
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = LeaseHolder(host: ProcessInfo.processInfo.hostName, pid: child.processIdentifier, nonce: "d")
        #expect(try store.acquireLease(request: "r1", role: .supervisor, holder: dead, expiresAt: now + 600, now: now) == nil)
        #expect(try store.acquireLease(request: "r1", role: .supervisor, holder: .current, expiresAt: now + 60, now: now) == nil)
        #expect(try store.lease(request: "r1", role: .supervisor)?.holder == LeaseHolder.current.description)
    }

    @Test("leases go with their request")
    func cascade() throws {
        let dir = try TemporaryDirectory("calfarm-lease")
        let store = try StoreFixture.store(in: dir)
        _ = try store.acquireLease(request: "r1", role: .supervisor, holder: .current, expiresAt: now + 60, now: now)
        try store.connection.execute("DELETE FROM request WHERE id = 'r1'")
        #expect(try store.connection.integer("SELECT count(*) FROM lease") == 0)
    }
}
