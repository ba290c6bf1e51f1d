import CalFarmTestSupport
@testable import Farm
import FarmContract
import Foundation
import Testing

/// How one attempt's state follows from what squeue, sacct and the result file say — including
/// the cases peers get wrong: a job gone from squeue (MinJobAge), accounting disabled, COMPLETED
/// without a result file.
@Suite("reconciliation of SLURM observations and result files")
struct ReconcileTests {
    let dir: TemporaryDirectory
    let attempt: AttemptRecord

    init() throws {
        dir = try TemporaryDirectory("reconcile")
        attempt = AttemptRecord(id: 7, request: "r", job: "join", number: 1, executor: "slurm", slurmJobID: "42",
                                arrayTaskID: 1, state: .queued, submittedAt: Date().addingTimeInterval(-600))
    }

    func writeResult(_ status: JobResult.Status, outputs: [JobResult.Output] = []) throws -> String {
        let path = dir.file("join.json")
        try ContractJSON.write(JobResult(request: "r", job: "join", status: status, outputs: outputs,
                                         error: status == .failed ? "bad input /x.h5: truncated" : nil,
                                         host: "vm", startedAt: Date(), finishedAt: Date()), to: path)
        return path
    }

    func sacct(_ state: SlurmJobState, exit: Int = 0) -> SacctRecord {
        SacctRecord(id: SlurmJobID(job: 42, arrayTask: 1), name: "calfarm-r", state: state, exitCode: exit, signal: 0,
                    nodeList: "vm", start: Date(), end: Date(), elapsedSeconds: 3, comment: "tok")
    }

    @Test("COMPLETED with a valid result file is done")
    func completedWithResult() throws {
        let product = dir.file("p.h5")
        try Data("xyz".utf8).write(to: URL(fileURLWithPath: product))
        let result = try writeResult(.succeeded, outputs: [FileChecksum.output(for: product)])
        let update = SlurmObservation(queue: nil, accounting: sacct(.completed)).update(for: attempt, resultPath: result)
        #expect(update?.state == .done)
    }

    @Test("COMPLETED whose recorded output has a different size fails, naming the output")
    func completedWithChangedOutput() throws {
        let product = dir.file("p.h5")
        try Data("xyz".utf8).write(to: URL(fileURLWithPath: product))
        let result = try writeResult(.succeeded, outputs: [FileChecksum.output(for: product)])
        try Data("longer".utf8).write(to: URL(fileURLWithPath: product))
        let update = SlurmObservation(queue: nil, accounting: sacct(.completed)).update(for: attempt, resultPath: result)
        #expect(update?.state == .failed)
        #expect(update?.reason?.contains(product) == true)
    }

    @Test("COMPLETED without a result file is a failure, not done")
    func completedWithoutResult() {
        let update = SlurmObservation(queue: nil, accounting: sacct(.completed)).update(for: attempt, resultPath: dir.file("none.json"))
        #expect(update?.state == .failed)
        #expect(update?.reason == "COMPLETED without a result file")
    }

    @Test("gone from squeue and no accounting record: the result file decides")
    func vanishedWithResult() throws {
        let result = try writeResult(.succeeded)
        let update = SlurmObservation(queue: nil, accounting: nil).update(for: attempt, resultPath: result)
        #expect(update?.state == .done)
    }

    @Test("gone from squeue, no accounting, no result: failed explicitly after a grace period, never left running")
    func vanishedWithoutResult() {
        let update = SlurmObservation(queue: nil, accounting: nil).update(for: attempt, resultPath: dir.file("none.json"))
        #expect(update?.state == .failed)
        var fresh = attempt
        fresh.submittedAt = Date()
        #expect(SlurmObservation(queue: nil, accounting: nil).update(for: fresh, resultPath: dir.file("none.json")) == nil)
    }

    @Test("a failed worker's own error message becomes the reason")
    func failedWithResult() throws {
        let result = try writeResult(.failed)
        let update = SlurmObservation(queue: nil, accounting: sacct(.failed, exit: 1)).update(for: attempt, resultPath: result)
        #expect(update?.state == .failed && update?.exitCode == 1)
        #expect(update?.reason?.contains("bad input /x.h5: truncated") == true)
    }

    @Test("TIMEOUT and NODE_FAIL keep SLURM's word as the reason, which the retry policy reads")
    func retryableStates() {
        for (state, word) in [(SlurmJobState.timeout, "TIMEOUT"), (.nodeFail, "NODE_FAIL"), (.preempted, "PREEMPTED")] {
            let update = SlurmObservation(queue: nil, accounting: sacct(state)).update(for: attempt, resultPath: nil)
            #expect(update?.state == .failed)
            #expect(RetryKind(reason: update?.reason) == RetryKind(rawValue: word), "\(state)")
        }
        #expect(RetryKind(reason: "FAILED") == nil)
    }

    @Test("an end seen in squeue before sacct has it waits for sacct, unless accounting is disabled")
    func squeueAheadOfSacct() {
        var fresh = attempt
        fresh.submittedAt = Date()
        let failed = SqueueRecord(id: SlurmJobID(job: 42, arrayTask: 1), state: .failed, reason: .none,
                                  nodeList: "vm", name: "calfarm-r", comment: "tok")
        #expect(SlurmObservation(queue: failed, accounting: nil).update(for: fresh, resultPath: nil) == nil)
        let withSacct = SlurmObservation(queue: failed, accounting: sacct(.failed, exit: 1)).update(for: fresh, resultPath: nil)
        #expect(withSacct?.state == .failed && withSacct?.exitCode == 1)
        let noAccounting = SlurmObservation(queue: failed, accounting: nil, accountingEnabled: false)
        #expect(noAccounting.update(for: fresh, resultPath: nil)?.state == .failed)
    }

    @Test("pending and running tasks map to queued and running")
    func openStates() {
        let pending = SqueueRecord(id: SlurmJobID(job: 42, arrayTask: 1), state: .pending, reason: .dependency,
                                   nodeList: nil, name: "calfarm-r", comment: "tok")
        #expect(SlurmObservation(queue: pending, accounting: nil).update(for: attempt, resultPath: nil)?.state == .queued)
        var running = pending
        running.state = .running
        #expect(SlurmObservation(queue: running, accounting: nil).update(for: attempt, resultPath: nil)?.state == .running)
    }
}

@Suite("submission batches and time limits")
struct SubmissionBatchTests {
    @Test("time limits parse in every SLURM form and a TIMEOUT retry doubles to whole minutes")
    func timeLimits() {
        #expect(TimeLimit.seconds("5") == 300)
        #expect(TimeLimit.seconds("05:30") == 330)
        #expect(TimeLimit.seconds("12:00:00") == 43200)
        #expect(TimeLimit.seconds("1-02") == 93600)
        #expect(TimeLimit.seconds("1-02:03:04") == 93784)
        #expect(TimeLimit.seconds("UNLIMITED") == nil)
        #expect(TimeLimit.extended("1", factor: 2) == "00:02:00")
        #expect(TimeLimit.extended("00:45:00", factor: 1.5) == "01:08:00")
    }

    @Test("batches split below MaxArraySize and keep only dependencies that are being submitted or still active")
    func batches() throws {
        let resources = StepResources(timeLimit: "10")
        var units = [JobUnit(id: "prep", step: .preprocess, runs: [1], arrayGroup: "preprocess", resources: resources)]
        for i in 0..<5 {
            units.append(JobUnit(id: "g\(i)", step: .gather, runs: [1], channel: 0, sequence: i, arrayGroup: "gather.r0001",
                                 resources: resources, dependencies: [JobDependency(unit: "prep")]))
        }
        let request = PlanRequest(measurement: .dark, inputDir: "/in", outputDir: "/out", runs: [1, 2, 3])
        let graph = try JobGraph(request: request, units: units)
        // All submitted: the gather tasks wait for prep; arrays of at most 2 tasks (MaxArraySize 3).
        let all = SubmissionBatch.make(graph: graph, submitting: Set(units.map(\.id)), active: [], maxArraySize: 3, tokenPrefix: "t")
        #expect(all.map(\.units.count) == [1, 2, 2, 1])
        #expect(all.dropFirst().allSatisfy { $0.dependencies == [JobDependency(unit: "prep")] })
        #expect(Set(all.map(\.token)).count == all.count)
        // prep already done: resubmitting two gathers carries no dependency at all.
        let rerun = SubmissionBatch.make(graph: graph, submitting: ["g1", "g3"], active: [], maxArraySize: 1001, tokenPrefix: "t")
        #expect(rerun.count == 1 && rerun[0].units.map(\.id) == ["g1", "g3"] && rerun[0].dependencies.isEmpty)
        // prep still running: the rerun waits for it.
        let waiting = SubmissionBatch.make(graph: graph, submitting: ["g1"], active: ["prep"], maxArraySize: 1001, tokenPrefix: "t")
        #expect(waiting[0].dependencies == [JobDependency(unit: "prep")])
    }

    @Test("a dependency on a unit of the same batch is dropped; one on a unit in another batch of the group is kept")
    func dependenciesInsideABatch() throws {
        let resources = StepResources(timeLimit: "10")
        let units = [JobUnit(id: "a", step: .merge, runs: [1], arrayGroup: "merge", resources: resources)]
            + ["b", "c"].map {
                JobUnit(id: $0, step: .merge, runs: [1], arrayGroup: "merge", resources: resources,
                        dependencies: [JobDependency(unit: "a", kind: .completion)])
            }
        let graph = try JobGraph(request: PlanRequest(measurement: .dark, inputDir: "/in", outputDir: "/out", runs: [1, 2, 3]),
                                 units: units)
        let batches = SubmissionBatch.make(graph: graph, submitting: ["a", "b", "c"], active: [], maxArraySize: 3,
                                           tokenPrefix: "t")
        #expect(batches.map { $0.units.map(\.id) } == [["a", "b"], ["c"]])
        #expect(batches[0].dependencies.isEmpty)
        #expect(batches[1].dependencies == [JobDependency(unit: "a", kind: .completion)])
    }
}
