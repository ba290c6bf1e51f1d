import CalFarmTestSupport
import Farm
import Foundation
import Testing

@Suite("SLURM client against the real cluster", .requiresSlurm, .tags(.slurm))
struct SlurmClientTests {
    let client = Cluster.client

    @Test("a batch job runs to COMPLETED, seen in squeue while visible and in sacct")
    func batchJobCompletes() throws {
        try SlurmAvailability.require()
        // Given a script that writes a file
        let dir = try TemporaryDirectory("slurm-ok")
        let script = try Cluster.script(dir, "ok.sh", "sleep 1\necho done > ok.out")
        let name = Cluster.uniqueName("ok")
        let token = "calfarm:token=\(UUID().uuidString)"
        // When it is submitted with a name and a comment token
        let id = try client.submit(SbatchRequest(
            scriptPath: script, jobName: name, comment: token, timeLimit: "5",
            outputPath: dir.file("ok.log"), workingDirectory: dir.path))
        // Then squeue follows it to COMPLETED and sacct agrees, with name, token and exit 0
        let snapshots = try Cluster.watchQueue(id)
        #expect(snapshots.last?.first?.state == .completed)
        #expect(snapshots.last?.first?.name == name)
        let record = try #require(try Cluster.finalAccounting([id])[id])
        #expect(record.state == .completed)
        #expect(record.exitCode == 0 && record.signal == 0)
        #expect(record.name == name)
        #expect(record.comment == token)
        #expect(record.start != nil && record.end != nil)
        #expect(try String(contentsOfFile: dir.file("ok.out"), encoding: .utf8) == "done\n")
    }

    @Test("an array 0-3%2 runs at most two tasks at once and its afterok child runs after all four")
    func throttledArrayWithDependent() throws {
        try SlurmAvailability.require()
        // Given an array whose tasks each write their index, and a child that joins the files
        let dir = try TemporaryDirectory("slurm-array")
        let task = try Cluster.script(dir, "task.sh",
                                      "sleep 2\necho $SLURM_ARRAY_TASK_ID > task-$SLURM_ARRAY_TASK_ID")
        let join = try Cluster.script(dir, "join.sh", "cat task-0 task-1 task-2 task-3 > joined")
        let array = try client.submit(SbatchRequest(
            scriptPath: task, jobName: Cluster.uniqueName("array"), array: "0-3%2",
            outputPath: "/dev/null", workingDirectory: dir.path))
        // When the child depends on the whole array with afterok
        let child = try client.submit(SbatchRequest(
            scriptPath: join, jobName: Cluster.uniqueName("join"),
            dependencies: [SlurmDependency(.afterOK, [array])], killOnInvalidDependency: true,
            outputPath: "/dev/null", workingDirectory: dir.path))
        // Then squeue never shows more than two tasks running, and all four complete
        let snapshots = try Cluster.watchQueue(array)
        let mostRunning = snapshots.map { $0.filter { $0.state == .running }.count }.max() ?? 0
        #expect(mostRunning <= 2)
        #expect(Set(snapshots.last?.map(\.id.arrayTask) ?? []) == [0, 1, 2, 3])
        let records = try Cluster.finalAccounting([array, child], count: 5)
        let tasks = records.values.filter { $0.id.job == array.job }
        #expect(tasks.count == 4)
        #expect(tasks.allSatisfy { $0.state == .completed })
        // And the child started only after the last task ended, and saw all four files
        let childRecord = try #require(records[child])
        #expect(childRecord.state == .completed)
        let lastEnd = try #require(tasks.compactMap(\.end).max())
        #expect(try #require(childRecord.start) >= lastEnd)
        #expect(try String(contentsOfFile: dir.file("joined"), encoding: .utf8) == "0\n1\n2\n3\n")
    }

    @Test("a script exiting 1 ends FAILED with exit code 1 and strands its afterok child")
    func failingJobStrandsDependent() throws {
        try SlurmAvailability.require()
        let dir = try TemporaryDirectory("slurm-fail")
        let failing = try Cluster.script(dir, "fail.sh", "exit 1")
        let child = try Cluster.script(dir, "child.sh", "true")
        let parent = try client.submit(SbatchRequest(
            scriptPath: failing, jobName: Cluster.uniqueName("fail"), outputPath: "/dev/null",
            workingDirectory: dir.path))
        let stranded = try client.submit(SbatchRequest(
            scriptPath: child, jobName: Cluster.uniqueName("stranded"),
            dependencies: [SlurmDependency(.afterOK, [parent])], outputPath: "/dev/null",
            workingDirectory: dir.path))
        let killed = try client.submit(SbatchRequest(
            scriptPath: child, jobName: Cluster.uniqueName("killdep"),
            dependencies: [SlurmDependency(.afterOK, [parent])], killOnInvalidDependency: true,
            outputPath: "/dev/null", workingDirectory: dir.path))
        // The parent fails with exit code 1
        let parentRecord = try #require(try Cluster.finalAccounting([parent])[parent])
        #expect(parentRecord.state == .failed)
        #expect(parentRecord.exitCode == 1)
        // The child without --kill-on-invalid-dep waits forever; the controller must cancel it
        let waiting = try Cluster.waitInQueue(stranded) { $0.reason == .dependencyNeverSatisfied }
        #expect(waiting.state == .pending)
        try client.cancel([stranded])
        // The child with --kill-on-invalid-dep is cancelled by SLURM itself
        let records = try Cluster.finalAccounting([stranded, killed])
        #expect(records[killed].map { if case .cancelled = $0.state { true } else { false } } == true)
        #expect(records[stranded]?.state == .cancelled(byUID: 0))
    }

    @Test("scancel of a running job ends it CANCELLED")
    func cancelRunningJob() throws {
        try SlurmAvailability.require()
        let dir = try TemporaryDirectory("slurm-cancel")
        let sleeper = try Cluster.script(dir, "sleep.sh", "sleep 300")
        let id = try client.submit(SbatchRequest(
            scriptPath: sleeper, jobName: Cluster.uniqueName("cancel"), outputPath: "/dev/null",
            workingDirectory: dir.path))
        _ = try Cluster.waitInQueue(id) { $0.state == .running }
        try client.cancel([id])
        let queued = try Cluster.waitInQueue(id) { $0.state.isTerminal }
        #expect(queued.state == .cancelled(byUID: nil))  // squeue prints plain CANCELLED
        let record = try #require(try Cluster.finalAccounting([id])[id])
        #expect(record.state == .cancelled(byUID: 0))  // sacct adds "by <uid>" (root here)
    }

    @Test("a submission is found again by its name and comment token, and only by its own token")
    func submissionFoundByToken() throws {
        try SlurmAvailability.require()
        let dir = try TemporaryDirectory("slurm-token")
        let script = try Cluster.script(dir, "t.sh", "sleep 1")
        let name = Cluster.uniqueName("token")
        let token = "calfarm:token=\(UUID().uuidString)"
        let id = try client.submit(SbatchRequest(
            scriptPath: script, jobName: name, comment: token, outputPath: "/dev/null",
            workingDirectory: dir.path))
        let sbatch = Sbatch(runner: client.runner)
        let since = Date().addingTimeInterval(-60)
        #expect(try sbatch.findSubmitted(name: name, token: token, since: since) == id)
        #expect(try sbatch.findSubmitted(name: name, token: "calfarm:token=other", since: since) == nil)
        // After it finished, accounting still knows it by name
        _ = try Cluster.finalAccounting([id])
        let found = try client.jobs(named: name, since: since)
        #expect(found.accounting.records.map(\.id) == [id])
        #expect(found.queue.map(\.id) == [id])
    }

    @Test("unknown job ids are simply absent from squeue, and cancelling them is harmless")
    func unknownIDs() throws {
        try SlurmAvailability.require()
        let unknown = SlurmJobID(job: 999_999_999)
        #expect(try client.queue([unknown]).isEmpty)
        #expect(try client.queue([unknown, SlurmJobID(job: 999_999_998)]).isEmpty)
        try client.cancel([unknown])
    }

    @Test("SLURM's refusal of a submission surfaces as commandFailed with its message")
    func refusedSubmission() throws {
        try SlurmAvailability.require()
        let dir = try TemporaryDirectory("slurm-refused")
        let script = try Cluster.script(dir, "r.sh", "true")
        let request = SbatchRequest(scriptPath: script, jobName: Cluster.uniqueName("refused"),
                                    partition: "no-such-partition", outputPath: "/dev/null")
        do {
            _ = try client.submit(request)
            Issue.record("sbatch accepted a job for a partition that does not exist")
        } catch let SlurmError.commandFailed(command, exitCode, stderr) {
            #expect(command.contains("--partition=no-such-partition"))
            #expect(exitCode != 0)
            #expect(stderr.contains("invalid partition"))
        }
    }

    @Test("scontrol show config gives the limits the planner needs")
    func configurationLimits() throws {
        try SlurmAvailability.require()
        let config = try client.configuration()
        #expect((config.maxArraySize ?? 0) > 0)
        #expect((config.maxJobCount ?? 0) > 0)
        #expect(config.minJobAgeSeconds != nil)
        #expect(config.version != nil)
    }
}
