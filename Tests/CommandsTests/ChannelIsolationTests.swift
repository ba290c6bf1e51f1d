import CalFarmTestSupport
@testable import ControllerCommands
import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// Issue 14 §3: one bad raw file blocks only its own channel.
@Suite("one bad file blocks only its channel", .serialized)
struct ChannelIsolationTests {
    @Test("a file of channel 8 truncated after submission: preprocess leaves channel 8 out naming the file, channel 0's constants are complete and true, join records channel 8 missing")
    func truncatedFileLeavesOtherChannels() throws {
        let fixture = try FarmFixture(channels: [0, 8], trains: 6, cells: 3, sequences: 2)
        // Preprocess of run 11 fails once, as if the node died; meanwhile a file is truncated.
        let first = try fixture.farm(["CALFARM_FAULT": "preprocess.r0011=fail@1"]).submit(fixture.options(output: "out"))
        let broken = ProductPaths(inputDir: fixture.inputDir, outputDir: "", measurement: .dark).rawFile(run: 11, channel: 8, sequence: 1)
        #expect(truncate(broken, 2048) == 0)

        let farm = try fixture.farm()
        _ = try farm.resume(request: first.request)
        let status = try farm.status(request: first.request)
        #expect(status.state == "partial", "\(status.jobs)")
        // Only channel 8's units of run 11 failed, with preprocess's reason naming the file.
        let failed = status.failed.filter { $0.state == "failed" }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.job.hasPrefix("gather.r0011.ch08") }, "\(status.failed.map(\.job))")
        #expect(failed.first?.reason.contains("RAW-R0011-AGIPD08-S00001.h5") == true, "\(failed.first?.reason ?? "")")
        #expect(status.missing.map(\.channel) == [8] && status.missing.first?.asics == Array(1...16), "\(status.missing)")
        // Each failure shows the units it cancelled (channel 8's two process chunks), not a line each.
        #expect(failed.allSatisfy { $0.cancelledDependents == 2 }, "\(failed.map(\.cancelledDependents))")
        #expect(StatusTable(report: status).render().contains("cancelled because of it: 2 units"))
        #expect(status.failed.allSatisfy { $0.state == "failed" }, "cancelled units are counted, not listed")
        let jobs = try farm.store.jobs(request: first.request)
        #expect(jobs.filter { $0.channel == 0 }.allSatisfy { $0.state == .done })

        let joined = fixture.joinedPath(output: "out")
        let file = try File.open(joined)
        #expect(try file.root.children().filter { $0.hasPrefix("channel") } == ["channel00"])
        try file.close()
        let compare = try CalfarmProcess.run(["compare-truth", "--truth", XFELDarkSimulation.truthPath(inputDir: fixture.inputDir),
                                              "--constants", joined, "--allow-missing"])
        #expect(compare.status == 0 && compare.stdout.contains("00"), "\(compare.stdout)\(compare.stderr)")
    }

    @Test("warnings from a missing sequence file are kept in the database and shown, grouped, in status and status --json")
    func warningsReachStatus() throws {
        let fixture = try FarmFixture(channels: [0, 8], trains: 6, cells: 2, sequences: 2)
        let missing = ProductPaths(inputDir: fixture.inputDir, outputDir: "", measurement: .dark).rawFile(run: 12, channel: 8, sequence: 1)
        try FileManager.default.removeItem(atPath: missing)
        let farm = try fixture.farm()
        let request = try farm.submit(fixture.options(output: "out")).request
        let stored = try farm.store.warnings(request: request)
        #expect(stored.contains { $0.job == "preprocess.r0012" && $0.message.contains("different numbers of sequence files") }, "\(stored)")
        let status = try farm.status(request: request)
        #expect(status.warnings.first?.step == "preprocess" && status.warnings.first?.count == stored.count, "\(status.warnings)")
        #expect(StatusTable(report: status).render().contains("warnings (\(stored.count)):"))

        let json = try CalfarmProcess.run(["status", request, "--json", "--db", fixture.dir.file("calfarm.sqlite")],
                                          environment: ["CALFARM_HOME": fixture.dir.file("home")])
        #expect(json.status == 0, "\(json.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let groups = try #require(decoded?["warnings"] as? [[String: Any]], "\(json.stdout)")
        #expect(groups.contains { ($0["examples"] as? [String])?.contains { $0.contains("channel 8: 1") } == true }, "\(groups)")
    }
}
