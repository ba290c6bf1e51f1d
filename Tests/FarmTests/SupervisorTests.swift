import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

/// The supervisor's lease and end, without a cluster (the SLURM suite runs it as a job).
@Suite("supervisor", .serialized)
struct SupervisorTests {
    @Test("a supervisor of an ended request records why it ends and releases its lease; a second one defers to a live holder")
    func endsAndDefers() throws {
        // Given a local dark that ran to its end
        let fixture = try FarmFixture(channels: [1], trains: 2, cells: 2, sequences: 1)
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(output: "out"))
        // When a supervisor follows it
        #expect(try farm.supervise(request: outcome.request, slurmJobID: "77") == .requestEnded("done"))
        // Then its events say so and the lease is free again
        let events = try farm.store.events(request: outcome.request).filter { $0.kind == "supervisor" }.map(\.message)
        #expect(events.contains("SLURM job 77 follows the request"), "\(events)")
        #expect(events.contains("SLURM job 77 ends: request done"), "\(events)")
        #expect(try farm.store.lease(request: outcome.request, role: .supervisor) == nil)

        // Given another live supervisor (on another host) holds the request
        let other = LeaseHolder(host: "node-7", pid: 4242, nonce: "x")
        _ = try farm.store.acquireLease(request: outcome.request, role: .supervisor, holder: other,
                                        expiresAt: Date().addingTimeInterval(600), slurmJobID: "78")
        // Then a second supervisor does nothing and leaves the lease alone
        #expect(try farm.supervise(request: outcome.request, patience: 0) == .otherSupervisor(other.description))
        #expect(try farm.store.lease(request: outcome.request, role: .supervisor)?.holder == other.description)
        // And status names the supervisor of a SLURM request only (this one is local)
        #expect(try farm.status(request: outcome.request).supervisor == nil)
    }

    @Test("only `calfarm` is started as the supervisor: a test runner's path is never used")
    func controllerLocation() {
        let worker = "/opt/calfarm/bin/calfarm-worker"
        #expect(ControllerLocation.path(workerPath: worker, environment: [:]) == "/opt/calfarm/bin/calfarm")
        #expect(ControllerLocation.path(workerPath: worker, environment: ["CALFARM_CONTROLLER": "/x/calfarm"]) == "/x/calfarm")
    }
}
