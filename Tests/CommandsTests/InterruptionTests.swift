import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import Simulator
import Testing

/// Local requests interrupted as users interrupt them — Ctrl-C, a killed controller, `cancel` —
/// are finished by `resume` with the constants a clean run gives.
@Suite("interrupted local requests", .serialized)
struct InterruptionTests {
    /// `calfarm submit --executor local --wait` started in the background, as from a terminal.
    final class Controller {
        let process = Process()
        let stderr = Pipe()

        init(_ fixture: FarmFixture, fault: String) throws {
            process.executableURL = URL(fileURLWithPath: try BuiltProducts.executable("calfarm"))
            let o = fixture.simulation.options
            process.arguments = ["submit", "--type", "dark", "--input-dir", fixture.inputDir, "--output-dir", fixture.dir.file("out"),
                                 "--runs"] + o.runs.map(String.init) + ["--channels", "0,8", "--executor", "local", "--wait",
                                 "--set", "process.n_jobs=2", "--set", "local.workers=2"]
            process.environment = ChildProcess.baseEnvironment([
                "HOME": fixture.dir.path, "CALFARM_HOME": fixture.dir.file("home"), "CALFARM_DB": fixture.dir.file("calfarm.sqlite"),
                "CALFARM_FAULT": fault])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            try process.run()
        }

        /// Waits until `job` has a running attempt (the slow unit is underway).
        func waitUntilRunning(_ job: String, farm: () throws -> Farm) throws {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if let request = try? farm().store.latestRequest(),
                   let unit = try farm().store.job(request: request.id, id: job), unit.state == .running { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            Issue.record("\(job) never started")
        }

        func finish() -> (status: Int32, stderr: String) {
            process.waitUntilExit()
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, text)
        }
    }

    static let slowUnit = "process.ch08.a01-08"

    func resumeAndCompare(_ fixture: FarmFixture, request: String) throws {
        let farm = try fixture.farm()
        _ = try farm.resume(request: request)
        let status = try farm.status(request: request)
        #expect(status.state == "done" && status.jobs.done == status.jobs.total, "\(status.jobs) \(status.failed)")
        let compare = try CalfarmProcess.run(["compare-truth", "--truth", XFELDarkSimulation.truthPath(inputDir: fixture.inputDir),
                                              "--constants", fixture.joinedPath(output: "out")])
        #expect(compare.status == 0, "\(compare.stdout)\(compare.stderr)")
    }

    @Test("Ctrl-C: the controller stops its workers, closes their attempts, exits 130; wait returns; resume reaches the truth")
    func sigint() throws {
        let fixture = try FarmFixture()
        let controller = try Controller(fixture, fault: "\(Self.slowUnit)=sleep:120")
        try controller.waitUntilRunning(Self.slowUnit) { try fixture.farm() }
        controller.process.interrupt()
        let (status, stderr) = controller.finish()
        #expect(status == 130, "\(stderr)")
        #expect(stderr.contains("calfarm resume"), "\(stderr)")

        let farm = try fixture.farm()
        let request = try #require(try farm.store.latestRequest()).id
        let report = try farm.status(request: request)
        #expect(report.jobs.running == 0 && report.jobs.pending == 0, "\(report.jobs)")
        let attempts = try farm.store.attempts(request: request, job: Self.slowUnit)
        #expect(attempts.last?.state == .failed && attempts.last?.reason == "interrupted by SIGINT", "\(attempts)")
        // Nothing runs and nothing can start: waiting ends at once instead of hanging.
        let waited = try farm.wait(request: request, interval: 0.1)
        #expect(waited.jobs.running == 0)
        try resumeAndCompare(fixture, request: request)
    }

    @Test("a killed controller: its orphaned worker finishes and is ingested; the other units resume")
    func sigkill() throws {
        let fixture = try FarmFixture()
        let controller = try Controller(fixture, fault: "\(Self.slowUnit)=sleep:4")
        try controller.waitUntilRunning(Self.slowUnit) { try fixture.farm() }
        kill(controller.process.processIdentifier, SIGKILL)
        _ = controller.finish()

        let farm = try fixture.farm()
        let request = try #require(try farm.store.latestRequest()).id
        // The orphaned worker still holds the request's lease: its unit is rightly running.
        #expect(try farm.status(request: request).jobs.running >= 1)
        let deadline = Date().addingTimeInterval(60)
        while try farm.status(request: request).jobs.running > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let slow = try farm.store.attempts(request: request, job: Self.slowUnit)
        #expect(slow.count == 1 && slow.last?.state == .done, "\(slow)")
        try resumeAndCompare(fixture, request: request)
        #expect(try farm.store.attempts(request: request, job: Self.slowUnit).count == 1, "the finished unit is not rerun")
    }

    @Test("cancel from another terminal, then resume, runs every cancelled unit; cancelling a done request changes nothing")
    func cancelThenResume() throws {
        let fixture = try FarmFixture()
        let controller = try Controller(fixture, fault: "\(Self.slowUnit)=sleep:120")
        try controller.waitUntilRunning(Self.slowUnit) { try fixture.farm() }
        let farm = try fixture.farm()
        let request = try #require(try farm.store.latestRequest()).id
        let cancelled = try farm.cancel(request: request)
        #expect(cancelled.cancelled > 0)
        _ = controller.finish()
        #expect(try farm.status(request: request).state == "cancelled")
        try resumeAndCompare(fixture, request: request)

        let again = try farm.cancel(request: request)
        #expect(again.cancelled == 0)
        #expect(try farm.status(request: request).state == "done")
    }
}
