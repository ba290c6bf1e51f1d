import Farm
import Foundation
import Testing

/// Parsers on text captured from a real SLURM 22.05.8 (see Fixtures/slurm/CAPTURE.md), plus a
/// few hand-written lines in the formats of SLURM 23.x/24.x.
@Suite("SLURM output parsing")
struct SlurmOutputParsingTests {
    /// Fixtures are read beside this file: Package.swift declares no test resources.
    static func fixture(_ name: String) throws -> String {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let url = directory.appendingPathComponent("Fixtures/slurm/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func byID<R>(_ records: [R], _ id: (R) -> SlurmJobID) -> [String: R] {
        Dictionary(records.map { (id($0).description, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: squeue

    @Test("squeue lines of jobs in flight give state, reason, array task and comment")
    func squeueInFlight() throws {
        let records = try Squeue.parse(Self.fixture("squeue-in-flight.txt"))
        #expect(records.count == 16)
        let r = Self.byID(records, \.id)
        #expect(r["52"]?.state == .completed)
        #expect(r["52"]?.comment == "calfarm:token=ok-1")
        #expect(r["53"]?.state == .failed)
        #expect(r["53"]?.reason == .other("NonZeroExitCode"))
        #expect(r["56"]?.state == .running)
        #expect(r["56"]?.nodeList == "vm")
        #expect(r["56"]?.comment == nil)  // "(null)"
        #expect(r["59"]?.reason == .dependencyNeverSatisfied)
        #expect(r["61"]?.reason == .dependency)
        #expect(r["60"]?.state == .cancelled(byUID: nil))
        // Array tasks: one line each, the throttled ones held by JobArrayTaskLimit
        let tasks = records.filter { $0.id.job == 58 }
        #expect(tasks.compactMap(\.id.arrayTask).sorted() == [0, 1, 2, 3, 4, 5])
        #expect(tasks.filter { $0.state == .running }.count == 2)
        #expect(tasks.filter { $0.reason == .arrayTaskLimit }.count == 4)
        #expect(tasks.allSatisfy { $0.name == "capture-array" && $0.comment == "calfarm:token=arr-1" })
        #expect(tasks.first(where: { $0.state == .pending })?.nodeList == nil)
    }

    @Test("squeue after the jobs ended shows every terminal state it keeps")
    func squeueAfter() throws {
        let records = try Squeue.parse(Self.fixture("squeue-after.txt"))
        let r = Self.byID(records, \.id)
        #expect(r["56"]?.state == .timeout)
        #expect(r["56"]?.reason == .other("TimeLimit"))
        #expect(r["57"]?.state == .cancelled(byUID: nil))
        #expect(r["55"]?.state == .failed)
        #expect(r["61"]?.state == .pending)
        #expect(r["61"]?.reason == .dependencyNeverSatisfied)
        #expect(records.filter { $0.id.job == 58 }.allSatisfy { $0.state == .completed })
    }

    @Test("squeue by name finds every task of every array with that name")
    func squeueByName() throws {
        let records = try Squeue.parse(Self.fixture("squeue-by-name.txt"))
        #expect(records.count == 12)
        #expect(Set(records.map(\.id.job)) == [41, 58])
        #expect(Set(records.map(\.name)) == ["capture-array"])
    }

    @Test("a malformed squeue line is reported with the line and the command")
    func squeueMalformed() throws {
        let error = #expect(throws: SlurmError.self) {
            try Squeue.parse("52|COMPLETED|None\n", command: "squeue -h -j 52")
        }
        guard case let .unparsableOutput(command, line, _) = error else {
            Issue.record("wrong error: \(String(describing: error))")
            return
        }
        #expect(command == "squeue -h -j 52")
        #expect(line == "52|COMPLETED|None")
    }

    @Test("a comment containing | stays whole in squeue and sacct")
    func pipeInComment() throws {
        let q = try Squeue.parse("7|RUNNING|None|n1|7|N/A|name|a|b|c\n")
        #expect(q.first?.comment == "a|b|c")
        let a = try Sacct.parse("7|name|RUNNING|0:0|n1|2024-01-01T00:00:00|Unknown|00:00:10|a|b\n")
        #expect(a.first?.comment == "a|b")
    }

    // MARK: sacct

    @Test("sacct records of finished jobs give state, exit code, signal, times and comment")
    func sacctFinished() throws {
        let records = try Sacct.parse(Self.fixture("sacct-finished.txt"))
        #expect(records.count == 16)
        let r = Self.byID(records, \.id)
        let ok = try #require(r["52"])
        #expect(ok.state == .completed && ok.exitCode == 0 && ok.signal == 0)
        #expect(ok.name == "capture-ok")
        #expect(ok.comment == "calfarm:token=ok-1")
        #expect(ok.elapsedSeconds == 2)
        let (start, end) = (try #require(ok.start), try #require(ok.end))
        #expect(end.timeIntervalSince(start) == 2)
        #expect(r["53"]?.state == .failed && r["53"]?.exitCode == 1)
        #expect(r["54"]?.exitCode == 3)
        #expect(r["55"]?.state == .failed && r["55"]?.exitCode == 0 && r["55"]?.signal == 9)
        #expect(r["56"]?.state == .timeout)
        #expect(r["56"]?.elapsedSeconds == 85)
        #expect(r["57"]?.state == .cancelled(byUID: 0))
        #expect(r["60"]?.state == .cancelled(byUID: nil))
        #expect(r["60"]?.start == nil)  // "None": cancelled before it started
        #expect(r["59"]?.state == .pending)
        #expect(r["59"]?.nodeList == nil)  // "None assigned"
        #expect(r["59"]?.start == nil && r["59"]?.end == nil)  // "Unknown"
        #expect(r["54"]?.comment == nil)
        let tasks = records.filter { $0.id.job == 58 }
        #expect(tasks.compactMap(\.id.arrayTask).sorted() == Array(0...5))
        #expect(tasks.allSatisfy { $0.state == .completed && $0.pendingArrayTasks == nil })
    }

    @Test("sacct in flight lags squeue: fresh jobs missing, RUNNING read as PENDING, names 'allocation'")
    func sacctInFlight() throws {
        let accounted = Self.byID(try Sacct.parse(Self.fixture("sacct-in-flight.txt")), \.id)
        let queued = Self.byID(try Squeue.parse(Self.fixture("squeue-in-flight.txt")), \.id)
        // Job 56 runs according to squeue while accounting still says PENDING.
        #expect(queued["56"]?.state == .running)
        #expect(accounted["56"]?.state == .pending)
        #expect(accounted["56"]?.end == nil)
        // 22.05 records a fresh job as "allocation" until its full record arrives.
        #expect(accounted["52"]?.name == "allocation")
        // The array and the dependency-held jobs are not in accounting yet at all.
        #expect(queued["58_0"] != nil && queued["59"] != nil)
        #expect(accounted.keys.allSatisfy { !$0.hasPrefix("58") && $0 != "59" })
    }

    @Test("sacct folds an array's pending tasks into one N_[range] line whose id is the array")
    func sacctPendingArrayRange() throws {
        let records = try Sacct.parse(Self.fixture("sacct-in-flight-array.txt"))
        let folded = try #require(records.first { $0.pendingArrayTasks != nil })
        #expect(folded.pendingArrayTasks == "2-5%2")
        #expect(folded.id == SlurmJobID(job: 24))
        #expect(folded.state == .pending)
        #expect(folded.nodeList == nil)
        let running = records.filter { $0.id.job == 24 && $0.state == .running }
        #expect(running.compactMap(\.id.arrayTask).sorted() == [0, 1])
    }

    @Test("sacct by name returns the named jobs' tasks")
    func sacctByName() throws {
        let records = try Sacct.parse(Self.fixture("sacct-by-name.txt"))
        #expect(Set(records.map(\.name)) == ["capture-ok", "capture-array"])
        #expect(records.filter { $0.name == "capture-array" }.count == 6)
    }

    @Test("sacct without accounting storage is recognised, not parsed as records")
    func accountingDisabled() throws {
        let text = try Self.fixture("sacct-accounting-disabled.txt")
        let output = SlurmCommandOutput(command: ["sacct"], stdout: "", stderr: text, exitCode: 1)
        #expect(Sacct.accountingDisabledMessage(output) == "Slurm accounting storage is disabled")
        let healthy = SlurmCommandOutput(command: ["sacct"], stdout: try Self.fixture("sacct-finished.txt"),
                                         stderr: "", exitCode: 0)
        #expect(Sacct.accountingDisabledMessage(healthy) == nil)
    }

    @Test("sacct step lines are skipped and a bad exit code names the line")
    func sacctStepsAndErrors() throws {
        let withSteps = """
        9|j|COMPLETED|0:0|n1|2024-01-01T00:00:00|2024-01-01T00:00:01|00:00:01|
        9.batch|batch|COMPLETED|0:0|n1|2024-01-01T00:00:00|2024-01-01T00:00:01|00:00:01|
        """
        #expect(try Sacct.parse(withSteps).map(\.id) == [SlurmJobID(job: 9)])
        #expect(throws: SlurmError.self) {
            try Sacct.parse("9|j|FAILED|x|n1|Unknown|Unknown|00:00:00|\n")
        }
    }

    // MARK: newer SLURM versions (hand-written, same -P format)

    @Test("lines in the 23.x/24.x format parse, including states one node cannot produce")
    func newerVersions() throws {
        let text = """
        4242_7|calfarm-r12|OUT_OF_MEMORY|0:125|max-exfl[101-104]|2024-05-02T10:11:12|2024-05-02T10:15:00|00:03:48|calfarm:token=ab12
        4243|calfarm-r12|NODE_FAIL|1:0|max-exfl101|2024-05-02T10:11:12|2024-05-02T10:20:00|1-02:03:04|
        4244|calfarm-r12|PREEMPTED|0:15|max-exfl102|2024-05-02T10:11:12|2024-05-02T10:12:00|00:00:48|
        4245|calfarm-r12|BOOT_FAIL|0:0|max-exfl103|Unknown|2024-05-02T10:12:00|00:00:00|
        4246|calfarm-r12|DEADLINE|0:0|None assigned|None|2024-05-02T10:12:00|00:00:00|
        4247|calfarm-r12|REQUEUED|0:0|max-exfl104|2024-05-02T10:11:12|2024-05-02T10:12:00|00:00:48|
        4248|calfarm-r12|SUSPENDED|0:0|max-exfl104|2024-05-02T10:11:12|Unknown|00:00:48|
        4249|calfarm-r12|CANCELLED by 41234|0:0|max-exfl104|2024-05-02T10:11:12|2024-05-02T10:12:00|00:00:48|
        4250|calfarm-r12|RESV_DEL_HOLD|0:0|None assigned|Unknown|Unknown|00:00:00|
        """
        let r = Self.byID(try Sacct.parse(text), \.id)
        #expect(r["4242_7"]?.state == .outOfMemory)
        #expect(r["4242_7"]?.signal == 125)
        #expect(r["4242_7"]?.nodeList == "max-exfl[101-104]")
        #expect(r["4243"]?.state == .nodeFail)
        #expect(r["4243"]?.elapsedSeconds == 93_784)
        #expect(r["4244"]?.state == .preempted)
        #expect(r["4245"]?.state == .bootFail)
        #expect(r["4246"]?.state == .deadline)
        #expect(r["4247"]?.state == .requeued)
        #expect(r["4248"]?.state == .suspended)
        #expect(r["4249"]?.state == .cancelled(byUID: 41234))
        #expect(r["4250"]?.state == .unknown("RESV_DEL_HOLD"))
        let queue = try Squeue.parse("""
        5001_3|PENDING|QOSMaxJobsPerUserLimit||5001|3|calfarm-r12|calfarm:token=cd34
        5002|COMPLETING|None|max-exfl[001-002]|5002|N/A|calfarm-r12|(null)
        """)
        #expect(queue.first?.reason == .other("QOSMaxJobsPerUserLimit"))
        #expect(queue.last?.state == .completing)
        #expect(queue.last?.state.isTerminal == false)
    }

    // MARK: states

    @Test("terminal and retryable states are classified as the reconciler needs")
    func stateClassification() {
        let terminal: [String] = ["COMPLETED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                                  "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "CANCELLED",
                                  "CANCELLED by 0", "CANCELLED+"]
        let active: [String] = ["PENDING", "RUNNING", "COMPLETING", "REQUEUED", "SUSPENDED",
                                "CONFIGURING", "PD", "R", "CG"]
        for name in terminal { #expect(SlurmJobState(parsing: name).isTerminal, "\(name)") }
        for name in active { #expect(!SlurmJobState(parsing: name).isTerminal, "\(name)") }
        let retryable = Set(["NODE_FAIL", "PREEMPTED", "BOOT_FAIL"])
        for name in terminal {
            #expect(SlurmJobState(parsing: name).isRetryable == retryable.contains(name), "\(name)")
        }
        #expect(SlurmJobState(parsing: "CANCELLED by 0") == .cancelled(byUID: 0))
        #expect(SlurmJobState(parsing: "OOM") == .outOfMemory)
        #expect(SlurmJobState(parsing: "CANCELLED by 0").description == "CANCELLED by 0")
        #expect(SlurmJobState.completed.isSuccess && !SlurmJobState.failed.isSuccess)
    }

    // MARK: transient errors

    @Test("controller and slurmdbd outages are transient; a refused dependency is permanent")
    func failureClassification() throws {
        for name in ["squeue-controller-down.txt", "sbatch-controller-down.txt", "sacct-slurmdbd-down.txt"] {
            #expect(SlurmFailureKind(stderr: try Self.fixture(name)) == .transientUndelivered, "\(name)")
        }
        #expect(SlurmFailureKind(stderr: try Self.fixture("sbatch-dependency-error.txt")) == .permanent)
        #expect(SlurmFailureKind(stderr: try Self.fixture("squeue-unknown-id.txt")) == .permanent)
        #expect(SlurmFailureKind(stderr: "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation")
                == .transientAmbiguous)
        #expect(SlurmFailureKind(stderr: "squeue: error: slurm_receive_msg: Zero Bytes were transmitted or received")
                == .transientAmbiguous)
        #expect(SlurmFailureKind(stderr: "sbatch: error: Resource temporarily unavailable") == .transientUndelivered)
    }

    @Test("retry delays grow exponentially up to the cap")
    func retryDelays() {
        let policy = SlurmRetryPolicy(maximumAttempts: 6, initialDelay: 1, multiplier: 2, maximumDelay: 5)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 5, 5])
        #expect(SlurmRetryPolicy.never.maximumAttempts == 1)
    }

    // MARK: sbatch and scontrol

    @Test("sbatch --parsable output gives the job id, with or without a cluster name")
    func sbatchParsable() throws {
        #expect(try Sbatch.parseJobID(Self.fixture("sbatch-parsable.txt")) == SlurmJobID(job: 52))
        #expect(try Sbatch.parseJobID("123;maxwell\n") == SlurmJobID(job: 123))
        #expect(throws: SlurmError.self) { try Sbatch.parseJobID("sbatch: error: nope\n") }
        #expect(throws: SlurmError.self) { try Sbatch.parseJobID("") }
    }

    @Test("scontrol show config gives MaxArraySize, MinJobAge, MaxJobCount and the version")
    func showConfig() throws {
        let config = SlurmConfiguration.parse(try Self.fixture("scontrol-show-config.txt"))
        #expect(config.maxArraySize == 1001)
        #expect(config.minJobAgeSeconds == 300)
        #expect(config.maxJobCount == 20000)
        #expect(config.version == "22.05.8")
        #expect(config.hasAccounting)
        #expect(config.values["SelectType"] == "select/cons_tres")
    }

    @Test("job ids parse as N or N_M and print back the same way")
    func jobIDs() {
        #expect(SlurmJobID(parsing: "123") == SlurmJobID(job: 123))
        #expect(SlurmJobID(parsing: "123_4") == SlurmJobID(job: 123, arrayTask: 4))
        #expect(SlurmJobID(parsing: "123_[2-5%2]") == nil)
        #expect(SlurmJobID(parsing: "abc") == nil)
        #expect(SlurmJobID(job: 7, arrayTask: 0).description == "7_0")
    }
}
