import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import HDF5
import Testing

/// What a new user brings to the real cluster: files CalFarm did not write, and an installed
/// `calfarm` run through PATH from their own directory.
@Suite("real inputs on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct RealInputsOnSlurmTests {
    @Test("a dark written by EXtra-data's mock writer runs through SLURM; its constants equal numpy's from EXtra-data's reading")
    func extraDataWrittenDark() throws {
        try SlurmAvailability.require()
        let dir = try TemporaryDirectory("mock-dark-slurm")
        let mock = try ExtraDataMockDark(dir: dir)
        let farm = try Farm(databasePath: dir.file("calfarm.sqlite"), environment: mock.environment)
        let outcome = try farm.submit(mock.options(output: dir.file("out"), executor: .slurm))
        let final = try farm.wait(request: outcome.request, interval: 2)
        #expect(final.state == "done", "\(final.failed)")
        try mock.expectReferenceConstants(joined: mock.joinedPath(output: dir.file("out")))
    }

    @Test("installed with deploy/install.sh, through PATH from another directory: submit --executor slurm --wait, compare-truth")
    func installedThroughPath() throws {
        try SlurmAvailability.require()
        let installed = try InstalledCalFarm()
        let simulate = try installed.calfarm(["simulate", "--output-dir", "in", "--runs", "1", "2", "3", "--channels", "0,8",
                                              "--trains", "4", "--cells", "2", "--detector-string", "SPB_DET_AGIPD1M-1"])
        try #require(simulate.status == 0, "\(simulate.stderr)")
        let submit = try installed.calfarm(["submit", "--type", "dark", "--input-dir", "in", "--output-dir", "out",
                                            "--runs", "1", "2", "3", "--channels", "0,8", "--executor", "slurm",
                                            "--db", "calfarm.sqlite", "--set", "process.n_jobs=2", "--wait"])
        #expect(submit.status == 0, "\(submit.stdout)\n\(submit.stderr)")
        let compare = try installed.calfarm(["compare-truth", "--truth", "in/truth.h5", "--db", "calfarm.sqlite"])
        #expect(compare.status == 0 && compare.stdout.contains("all 2 channels agree with the truth"),
                "\(compare.stdout)\n\(compare.stderr)")
    }
}

@Suite("drspc on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct DrspcOnSlurmTests {
    @Test("a drspc request completes through the real SLURM, every unit done with its SLURM id")
    func drspcCompletes() throws {
        try SlurmAvailability.require()
        let fixture = try DrspcFixture()
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(executor: .slurm))
        let final = try farm.wait(request: outcome.request, interval: 2)
        #expect(final.state == "done", "\(final.failed)")
        for job in try farm.store.jobs(request: outcome.request) {
            #expect(try farm.store.attempts(request: outcome.request, job: job.id).first?.slurmJobID != nil, "\(job.id)")
        }
        try fixture.expectConstants()
    }
}

@Suite("CFEL on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct CFELOnSlurmTests {
    @Test("a CFEL dark (parts, lost frames) runs through the real SLURM; a failed process unit resumes; the constants equal the direct computation")
    func cfelDarkCompletesAndResumes() throws {
        try SlurmAvailability.require()
        let fixture = try CFELFixture("cfel-slurm") { o in
            (o.runs, o.trains, o.cells, o.parts, o.lostTrains, o.lostFrames) = ([1, 2, 3], 6, 2, 2, [3], [6])
        }
        let farm = try fixture.farm(["CALFARM_FAULT": "process.a01-08=fail"])
        let outcome = try farm.submit(fixture.submitOptions(runs: nil, executor: .slurm))
        let failed = try farm.wait(request: outcome.request, interval: 2)
        #expect(failed.failed.map(\.job) == ["process.a01-08"], "\(failed.failed)")
        #expect(failed.missing.first?.module == "M304" && failed.missing.first?.asics == Array(1...8), "\(failed.missing)")
        for job in try farm.store.jobs(request: outcome.request) {
            #expect(try farm.store.attempts(request: outcome.request, job: job.id).first?.slurmJobID != nil, "\(job.id)")
        }
        let resumed = try fixture.farm().resume(request: outcome.request)
        #expect(resumed.resubmitted == ["process.a01-08", "join"])
        let final = try fixture.farm().wait(request: outcome.request, interval: 2)
        #expect(final.state == "done" && final.missing.isEmpty, "\(final.failed)")
        try fixture.expectDarkEqualsDirect()
    }
}

@Suite("drscs on SLURM", .requiresSlurm, .tags(.slurm), .serialized)
struct DrscsOnSlurmTests {
    @Test("three currents through the real SLURM: merge per chunk after every current's process unit, join after the merges, the merge's choice as the truth says")
    func drscsCompletes() throws {
        try SlurmAvailability.require()
        let fixture = try DrscsFixture("drscs-slurm") { $0.cells = 1 }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.submitOptions(executor: .slurm))
        let final = try farm.wait(request: outcome.request, interval: 2)
        #expect(final.state == "done", "\(final.failed)")
        // Arrays: gather, one process array per current, merge, join.
        let groups = Set(try farm.store.jobs(request: outcome.request).compactMap(\.arrayGroup))
        #expect(groups == ["gather", "process.itestc20", "process.itestc80", "process.itestc150", "merge", "join"])
        let merges = try farm.store.attempts(request: outcome.request, job: "merge.a01")
        let processes = try ["itestc20", "itestc80", "itestc150"].map { try farm.store.attempts(request: outcome.request, job: "process.\($0).a01") }
        // The merge started only after every current's unit of its chunk had ended.
        for attempts in processes {
            #expect(try #require(attempts.last?.endedAt) <= (try #require(merges.last?.startedAt)).addingTimeInterval(1))
        }
        let comparison = try fixture.compare(joined: fixture.joined())
        #expect(comparison.chosenAgreement >= 0.999, "\(comparison.chosenAgreement)")
    }

    @Test("one current's process unit times out: its retry runs, and the merge and join run after it, so the merged constants include that current")
    func timeoutRetriedBeforeTheMerge() throws {
        try SlurmAvailability.require()
        let fixture = try DrscsFixture("drscs-retry") { ($0.cells, $0.asics) = (1, [1]) }
        // Given itestc80's process unit sleeps past its one-minute limit on its first attempt
        let farm = try fixture.farm(["CALFARM_FAULT": "process.itestc80.a01=sleep:100@1"])
        var options = fixture.submitOptions(executor: .slurm, overrides: ["process.time_limit=1", "supervisor.interval=3"])
        options.overrides += ["general.asics=[1]", "process.n_jobs=1"]
        let outcome = try farm.submit(options)
        // When the request is followed to its end (the supervisor and this wait both apply retries)
        let final = try farm.wait(request: outcome.request, interval: 3)
        #expect(final.state == "done", "\(final.failed)")
        let process = try farm.store.attempts(request: outcome.request, job: "process.itestc80.a01")
        #expect(process.count == 2 && process.first?.reason?.hasPrefix("TIMEOUT") == true, "\(process.map(\.reason))")
        // Then the merge that counts started after the retried unit ended, and used its product
        let merge = try #require(try farm.store.attempts(request: outcome.request, job: "merge.a01").last)
        #expect(try #require(merge.startedAt) >= (try #require(process.last?.endedAt)).addingTimeInterval(-1))
        let joined = try File.open(fixture.joined())
        defer { try? joined.close() }
        #expect(try joined.root.dataset("M304/chosen_current").read(Int16.self).filter { $0 == 80 }.count > 3000)
    }
}
