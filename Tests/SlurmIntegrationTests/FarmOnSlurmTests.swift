import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import Testing

/// The controller against the real local cluster: arrays, dependencies, reconciliation,
/// failures, resume, a controller killed mid-submission, and the TIMEOUT retry.
@Suite("controller end to end on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct FarmOnSlurmTests {
    @Test("a two-channel XFEL dark runs to completion through SLURM, every unit done with its SLURM id")
    func darkCompletes() throws {
        try SlurmAvailability.require()
        // Given a simulated dark for channels 0 and 8
        let fixture = try FarmFixture()
        let farm = try fixture.farm()
        // When it is submitted to SLURM and waited for
        let outcome = try farm.submit(fixture.options(output: "out", executor: .slurm))
        let final = try farm.wait(request: outcome.request, interval: 2)
        // Then 1 preprocess + 3 gather + 2 process arrays + 1 join array (AGIPD and XFEL file) were submitted, all done
        #expect(outcome.sbatchCalls == 7)
        #expect(final.state == "done", "\(final.failed)")
        #expect(final.jobs.done == 21 && final.jobs.total == 21)
        for job in try farm.store.jobs(request: outcome.request) {
            let attempts = try farm.store.attempts(request: outcome.request, job: job.id)
            #expect(attempts.count == 1 && attempts[0].slurmJobID != nil && attempts[0].arrayTaskID != nil, "\(job.id)")
            #expect(attempts[0].node != nil, "\(job.id) has no node")
        }
        #expect(FileManager.default.fileExists(atPath: fixture.joinedPath(output: "out")))
    }

    @Test("one channel's failing process job: the other finishes, join reports the missing ASICs, resume reruns only it and join")
    func failureThenResume() throws {
        try SlurmAvailability.require()
        let fixture = try FarmFixture()
        let clean = try fixture.farm(database: "clean.sqlite")
        let reference = try clean.submit(fixture.options(output: "clean", executor: .slurm))
        #expect(try clean.wait(request: reference.request, interval: 2).state == "done")

        // Given channel 8's first process chunk fails on SLURM
        let failing = try fixture.farm(["CALFARM_FAULT": "process.ch08.a01-08=fail"])
        let outcome = try failing.submit(fixture.options(output: "out", executor: .slurm))
        let status = try failing.wait(request: outcome.request, interval: 2)
        // Then channel 0 is done, join ran (afterany) and reported channel 8 ASICs 1–8 missing
        #expect(status.failed.map(\.job) == ["process.ch08.a01-08"])
        let failed = try #require(status.failed.first)
        #expect(failed.state == "failed" && failed.exitCode == 1)
        #expect(failed.slurmJobID != nil)
        let log = try #require(failed.log)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("CALFARM_FAULT"))
        #expect(status.missing.map(\.channel) == [8] && status.missing.first?.asics == Array(1...8))
        #expect(try failing.store.job(request: outcome.request, id: "join")?.state == .done)

        // When resumed without the fault
        let fixed = try fixture.farm()
        let resumed = try fixed.resume(request: outcome.request)
        #expect(resumed.resubmitted == ["process.ch08.a01-08", "join", "join.xfel"])
        #expect(resumed.sbatchCalls == 2)
        let after = try fixed.wait(request: outcome.request, interval: 2)
        #expect(after.state == "done" && after.missing.isEmpty)
        // Then the constants equal the clean run's
        for dataset in ["channel08/offset", "channel08/gainlevel_mean", "channel00/offset"] {
            #expect(try FarmFixture.read(fixture.joinedPath(output: "out"), dataset, as: Int64.self)
                    == FarmFixture.read(fixture.joinedPath(output: "clean"), dataset, as: Int64.self), "\(dataset)")
        }
    }

    @Test("a controller killed between two sbatch calls: resume finds what was submitted and submits the rest, no duplicates")
    func killedMidSubmission() throws {
        try SlurmAvailability.require()
        let fixture = try FarmFixture()
        let database = fixture.dir.file("calfarm.sqlite")
        // Given `calfarm submit` killed right after its 3rd sbatch returned (before recording it)
        let calfarm = try BuiltProducts.executable("calfarm")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: calfarm)
        process.arguments = ["submit", "--type", "dark", "--input-dir", fixture.inputDir,
                             "--output-dir", fixture.dir.file("out"), "--runs", "11", "12", "13",
                             "--channels", "0,8", "--set", "process.n_jobs=2", "--executor", "slurm", "--db", database]
        var environment = ProcessInfo.processInfo.environment
        environment["CALFARM_CONTROLLER_FAULT"] = "kill-after-sbatch:3"
        environment["CALFARM_HOME"] = fixture.dir.file("home")
        environment["CALFARM_WORKER"] = try BuiltProducts.executable("calfarm-worker")
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let farm = try fixture.farm()
        let request = try #require(try farm.store.latestRequest()).id
        let before = try farm.store.submissions(request: request)
        #expect(before.count == 3 && before.last?.state == .recorded)

        // When resumed
        let resumed = try farm.resume(request: request)
        // Then the 3rd submission is recovered from SLURM, the other 4 arrays are submitted once
        #expect(resumed.recovered == 1)
        #expect(resumed.sbatchCalls == 4)
        let final = try farm.wait(request: request, interval: 2)
        #expect(final.state == "done", "\(final.failed)")
        for job in try farm.store.jobs(request: request) {
            #expect(try farm.store.attempts(request: request, job: job.id).count == 1, "\(job.id) ran twice")
        }
        let accounted = try Cluster.client.accounting(
            try farm.store.submissions(request: request).compactMap { $0.slurmJobID.flatMap(Int.init) }
                .map { SlurmJobID(job: $0) })
        let arrays = Set(accounted.records.map(\.id.job))
        #expect(arrays.count == 7)
    }

    @Test("a job exceeding its time limit ends TIMEOUT and is retried with a longer limit")
    func timeoutIsRetried() throws {
        try SlurmAvailability.require()
        let fixture = try FarmFixture(channels: [1], trains: 2, cells: 2, sequences: 1)
        // Given the join sleeps past a one-minute limit on its first attempt only
        let farm = try fixture.farm(["CALFARM_FAULT": "join=sleep:100@1"])
        let outcome = try farm.submit(fixture.options(output: "out", executor: .slurm,
                                                      overrides: ["join.time_limit=1"]))
        // When waited for (the retry policy applies while waiting)
        let final = try farm.wait(request: outcome.request, interval: 3)
        // Then join timed out once, was resubmitted with 2 minutes and succeeded
        let attempts = try farm.store.attempts(request: outcome.request, job: "join")
        #expect(attempts.count == 2)
        #expect(attempts.first?.reason?.hasPrefix("TIMEOUT") == true, "\(attempts.first?.reason ?? "")")
        #expect(attempts.last?.state == .done)
        #expect(try farm.store.job(request: outcome.request, id: "join")?.timeLimit == "00:02:00")
        #expect(final.state == "done")
    }
}

@Suite("supervisor job on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct SupervisorOnSlurmTests {
    @Test("a request whose join times out on its first attempt completes with nobody running calfarm, its supervisor handing over to a successor")
    func finishesUnattended() throws {
        try SlurmAvailability.require()
        let fixture = try FarmFixture(channels: [1], trains: 2, cells: 2, sequences: 1)
        // Given the join sleeps past a one-minute limit on its first attempt only, and a
        // supervisor with a one-minute limit of its own (it hands over after 45 s)
        let farm = try fixture.farm(["CALFARM_FAULT": "join=sleep:100@1"])
        let outcome = try farm.submit(fixture.options(output: "out", executor: .slurm, overrides: [
            "join.time_limit=1", "supervisor.time_limit=1", "supervisor.interval=3"]))
        let supervisor = try #require(outcome.supervisorJob)
        // When nobody waits: only the database is read, never SLURM, never the retry policy
        // (it passes through `partial` between the timeout and the retry)
        let deadline = Date().addingTimeInterval(420)
        var record = try #require(try farm.store.request(outcome.request))
        while record.state != .done && Date() < deadline {
            Thread.sleep(forTimeInterval: 3)
            record = try #require(try farm.store.request(outcome.request))
        }
        // Then the supervisor retried join with a longer limit and the request is done
        #expect(record.state == .done)
        let attempts = try farm.store.attempts(request: outcome.request, job: "join")
        #expect(attempts.count == 2)
        #expect(attempts.first?.reason?.hasPrefix("TIMEOUT") == true, "\(attempts.first?.reason ?? "")")
        #expect(attempts.last?.state == .done)
        #expect(try farm.store.job(request: outcome.request, id: "join")?.timeLimit == "00:02:00")
        let events = try farm.store.events(request: outcome.request).filter { $0.kind == "supervisor" }.map(\.message)
        #expect(events.contains { $0.hasPrefix("SLURM job \(supervisor) hands over to SLURM job ") }, "\(events)")
        #expect(events.contains { $0.hasSuffix("ends: request done") }, "\(events)")
        #expect(Set(events.compactMap { $0.hasSuffix("follows the request") ? $0 : nil }).count >= 2, "\(events)")
        // And the last supervisor leaves: the lease is released within a moment
        var lease = try farm.store.lease(request: outcome.request, role: .supervisor)
        for _ in 0..<10 where lease != nil {
            Thread.sleep(forTimeInterval: 1)
            lease = try farm.store.lease(request: outcome.request, role: .supervisor)
        }
        #expect(lease == nil)
    }
}
