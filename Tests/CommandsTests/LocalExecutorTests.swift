import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import HDF5
import Testing

@Suite("controller end to end, local executor", .serialized)
struct LocalExecutorTests {
    @Test("a two-channel dark runs to completion and every job unit is done in the database")
    func cleanRun() throws {
        // Given a simulated dark for channels 0 and 8 (both wings), two sequences per run
        let fixture = try FarmFixture()
        let farm = try fixture.farm()
        // When it is submitted to the local executor
        let outcome = try farm.submit(fixture.options(output: "out"))
        // Then every unit is done: 3 preprocess, 3 runs × 2 channels × 2 sequences gathers,
        // 2 channels × 2 chunks process, 2 joins (AGIPD and XFEL orientation)
        #expect(outcome.jobs == 3 + 12 + 4 + 2)
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done")
        #expect(status.jobs.total == 21 && status.jobs.done == 21 && status.jobs.failed == 0)
        #expect(status.missing.isEmpty)
        let jobs = try farm.store.jobs(request: outcome.request)
        #expect(jobs.allSatisfy { $0.state == .done && $0.attempts == 1 })
        // And the joined constants are close to the simulator's truth (offset within 5 σ/√n)
        let path = fixture.joinedPath(output: "out")
        let offset = try FarmFixture.read(path, "channel08/offset", as: Int64.self)
        let cells = fixture.simulation.options.cells
        #expect(offset.count == 3 * cells * 128 * 512)
        var checked = 0
        for (stage, cell, row, column) in [(0, 0, 0, 0), (1, 2, 70, 300), (2, 1, 127, 511), (0, 1, 64, 64)] {
            let truth = fixture.simulation.truth(channel: 8, stage: stage, cell: cell, row: row, column: column)
            let value = Double(offset[((stage * cells + cell) * 128 + row) * 512 + column])
            let tolerance = 5 * truth.noise / Double(fixture.simulation.options.trains).squareRoot() + 1
            #expect(abs(value - truth.offset) <= tolerance, "stage \(stage) cell \(cell) (\(row), \(column))")
            checked += 1
        }
        #expect(checked == 4)
    }

    @Test("an injected failure in one channel's process job leaves the other channel done; resume reruns only it and the join")
    func failureAndResume() throws {
        let fixture = try FarmFixture()
        // A clean reference run.
        let clean = try fixture.farm(database: "clean.sqlite").submit(fixture.options(output: "clean"))
        // Given a run where channel 8's first process chunk fails
        let failing = try fixture.farm(["CALFARM_FAULT": "process.ch08.a01-08=fail"])
        let outcome = try failing.submit(fixture.options(output: "out"))
        let status = try failing.status(request: outcome.request)
        // Then channel 0 finished, the join ran and reported channel 8's ASICs 1–8 missing
        #expect(status.state == "partial" || status.state == "failed")
        #expect(status.failed.map(\.job) == ["process.ch08.a01-08"])
        let failed = try #require(status.failed.first)
        #expect(failed.reason.contains("CALFARM_FAULT"))
        let log = try #require(failed.log)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("process.ch08.a01-08"))
        #expect(status.missing.map(\.channel) == [8])
        #expect(status.missing.first?.asics == Array(1...8))
        #expect(try failing.store.job(request: outcome.request, id: "join")?.state == .done)
        #expect(try failing.store.job(request: outcome.request, id: "process.ch00.a01-08")?.state == .done)

        // When the fault is gone and the request is resumed
        let fixed = try fixture.farm()
        let resumed = try fixed.resume(request: outcome.request)
        // Then only the failed unit and the join ran again
        #expect(resumed.resubmitted == ["process.ch08.a01-08", "join", "join.xfel"])
        let after = try fixed.status(request: outcome.request)
        #expect(after.state == "done" && after.failed.isEmpty && after.missing.isEmpty)
        #expect(try fixed.store.job(request: outcome.request, id: "gather.r0011.ch08.s00000")?.attempts == 1)
        #expect(try fixed.store.job(request: outcome.request, id: "join")?.attempts == 2)
        // And the request's event log tells the story
        #expect(try fixed.store.events(request: outcome.request).map(\.kind) == ["submit", "resume"])
        // And the constants equal the clean run's, dataset by dataset
        for dataset in ["channel08/offset", "channel08/gainlevel_mean", "channel00/offset"] {
            #expect(try FarmFixture.read(fixture.joinedPath(output: "out"), dataset, as: Int64.self)
                    == FarmFixture.read(fixture.joinedPath(output: "clean"), dataset, as: Int64.self), "\(dataset)")
        }
        #expect(try FarmFixture.read(fixture.joinedPath(output: "out"), "channel08/stddev", as: Double.self)
                == FarmFixture.read(fixture.joinedPath(output: "clean"), "channel08/stddev", as: Double.self))
        _ = clean
    }

    @Test("a crashed worker leaves no product and no result that counts as done")
    func crashLeavesNothing() throws {
        let fixture = try FarmFixture(channels: [3], trains: 4, sequences: 1)
        let farm = try fixture.farm(["CALFARM_FAULT": "join=crash"])
        let outcome = try farm.submit(fixture.options(output: "out"))
        let status = try farm.status(request: outcome.request)
        #expect(status.failed.map(\.job) == ["join"])
        #expect(!FileManager.default.fileExists(atPath: fixture.joinedPath(output: "out")))
        let result = RequestWorkspace(request: outcome.request, outputDir: fixture.dir.file("out")).resultPath(job: "join")
        #expect(!FileManager.default.fileExists(atPath: result))
    }

    @Test("a failing join.xfel leaves the AGIPD-orientation file done and in place; resume reruns only join.xfel")
    func oneJoinedFileFails() throws {
        let fixture = try FarmFixture(channels: [3], trains: 4, sequences: 1)
        let failing = try fixture.farm(["CALFARM_FAULT": "join.xfel=fail"])
        let outcome = try failing.submit(fixture.options(output: "out"))
        let agipd = fixture.joinedPath(output: "out")
        let xfel = agipd.replacingOccurrences(of: "_agipd.h5", with: "_xfel.h5")
        let status = try failing.status(request: outcome.request)
        #expect(status.failed.map(\.job) == ["join.xfel"])
        #expect(try failing.store.job(request: outcome.request, id: "join")?.state == .done)
        #expect(FileManager.default.fileExists(atPath: agipd) && !FileManager.default.fileExists(atPath: xfel))
        let offset = try FarmFixture.read(agipd, "channel03/offset", as: Int64.self)
        let before = try FileManager.default.attributesOfItem(atPath: agipd)

        let resumed = try fixture.farm().resume(request: outcome.request)
        #expect(resumed.resubmitted == ["join.xfel"])
        let after = try fixture.farm().status(request: outcome.request)
        #expect(after.state == "done" && after.failed.isEmpty)
        // The XFEL file holds the same constants turned; channel 3 is in wing 1: x[X][Y] = a[Y][511 − X].
        let turned = try FarmFixture.read(xfel, "channel03/offset", as: Int64.self)
        #expect(turned.count == offset.count)
        var mismatches = 0
        for plane in 0..<(offset.count / (128 * 512)) {
            for x in 0..<512 {
                for y in 0..<128 where turned[plane * 65536 + x * 128 + y] != offset[plane * 65536 + y * 512 + (511 - x)] {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
        // The AGIPD file is the one written before the failure: same inode, same modification time.
        let later = try FileManager.default.attributesOfItem(atPath: agipd)
        #expect((later[.systemFileNumber] as? NSNumber) == (before[.systemFileNumber] as? NSNumber))
        #expect((later[.modificationDate] as? Date) == (before[.modificationDate] as? Date))
    }

    @Test("bad inputs are refused before anything is stored")
    func badInputs() throws {
        let fixture = try FarmFixture(channels: [0], trains: 2, sequences: 1)
        let farm = try fixture.farm()
        var missingInput = fixture.options(output: "out")
        missingInput.inputDir = fixture.dir.file("nowhere")
        var twoRuns = fixture.options(output: "out")
        twoRuns.runs = [11, 12]
        var unknownChannel = fixture.options(output: "out")
        unknownChannel.channels = [16]
        var badYAML = fixture.options(output: "out")
        let yaml = fixture.dir.file("bad.yaml")
        try "process:\n  time_limit: [unclosed\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        badYAML.configFile = yaml
        var unwritable = fixture.options(output: "out")
        try "not a directory".write(toFile: fixture.dir.file("file"), atomically: true, encoding: .utf8)
        unwritable.outputDir = fixture.dir.file("file/out")
        for (name, options, needle) in [("missing input", missingInput, "nowhere"), ("two runs", twoRuns, "3"),
                                        ("channel 16", unknownChannel, "16"), ("malformed YAML", badYAML, "bad.yaml"),
                                        ("unwritable output", unwritable, "file/out")] {
            do {
                _ = try farm.submit(options)
                Issue.record("\(name): submit succeeded")
            } catch {
                #expect(String(describing: error).contains(needle), "\(name): \(error)")
            }
        }
        #expect(try farm.store.requests(limit: 10).isEmpty)
    }
}
