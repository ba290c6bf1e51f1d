import CalFarmTestSupport
import Farm
import Foundation
import Report
import Testing

/// `calfarm report` (issue 13): the page of a dark with a failure and a resume, and of a drspc
/// request, checked in its text and in a real headless Chromium.
@Suite("request report", .serialized)
struct ReportTests {
    /// Chromium from Debian's packages (deploy/run-tests.sh installs it).
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("a dark with one failed process unit and a resume: every attempt in the timeline, the failure with its log lines, one map per channel, stage and key; Chromium renders it")
    func darkWithFailureAndResume() throws {
        let fixture = try FarmFixture(channels: [0, 8], trains: 6, cells: 3, sequences: 1)
        let failing = try fixture.farm(["CALFARM_FAULT": "process.ch08.a01-08=fail"])
        let outcome = try failing.submit(fixture.options(output: "out"))
        #expect(try failing.status(request: outcome.request).state == "partial")
        let farm = try fixture.farm()
        _ = try farm.resume(request: outcome.request)
        let path = fixture.dir.file("report.html")
        let report = try RequestReport(inputs: try farm.reportInputs(request: outcome.request)).write(to: path)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("CalFarm report: request \(outcome.request)"))
        // Every attempt is a bar; the failed and the retried attempt of the same unit differ.
        let attempts = try farm.store.attempts(request: outcome.request)
        let units = try farm.store.jobs(request: outcome.request).count
        #expect(report.attempts == attempts.count && attempts.count == units + 3)  // process.ch08.a01-08, join and join.xfel twice
        for attempt in attempts { #expect(html.contains("data-attempt=\"\(attempt.job) \(attempt.number)\""), "\(attempt.job)") }
        func bar(_ state: String, _ number: Int) -> Bool {
            ["", " critical-bar"].contains { html.contains("class=\"\(state)\($0)\" data-attempt=\"process.ch08.a01-08 \(number)\"") }
        }
        #expect(bar("failed", 1) && bar("done", 2))
        // The failure, with its reason and the last lines of its log.
        #expect(html.contains("data-failed-attempt=\"process.ch08.a01-08 1\"") && html.contains("retried: attempt 2 done"))
        let failed = try #require(attempts.first { $0.job == "process.ch08.a01-08" && $0.state == .failed })
        let log = try String(contentsOfFile: try #require(failed.logPath), encoding: .utf8)
        let lastLine = try #require(log.split(separator: "\n").last)
        #expect(html.contains(String(lastLine).replacingOccurrences(of: "\"", with: "&quot;")) || html.contains(String(lastLine)), "\(lastLine)")
        // Maps: per channel offset, noise, gain level (3 stages each) and threshold (2), cell and median.
        #expect(report.maps == 2 * (3 + 3 + 3 + 2) * 2)
        for channel in ["channel00", "channel08"] { #expect(html.contains("<h3>\(channel)</h3>")) }
        #expect(html.contains("offset medium gain, median over cells") && html.contains("threshold medium/low, cell 1"))
        #expect(html.contains("bad-pixel mask"))
        // Self-contained: nothing fetched, no script.
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://") && !html.contains("<link"))

        // A real browser parses and draws it.
        let chromium = try #require(Self.chromium, "chromium is not installed (deploy/run-tests.sh installs it)")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        let dom = try ChildProcess.run(chromium, flags + ["--dump-dom", "file://" + path], environment: ChildProcess.baseEnvironment())
        #expect(dom.status == 0)
        #expect(dom.stdout.components(separatedBy: "<img").count - 1 == report.maps, "\(dom.stderr.suffix(500))")
        #expect(dom.stdout.contains("id=\"timeline\"") && dom.stdout.contains("id=\"constants\""))
        let shot = fixture.dir.file("report.png")
        let screenshot = try ChildProcess.run(chromium, flags + ["--window-size=1100,1600", "--screenshot=" + shot, "file://" + path],
                                              environment: ChildProcess.baseEnvironment())
        #expect(screenshot.status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.count > 50_000 && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test("a drspc request: slope maps for both windows per channel")
    func drspc() throws {
        let fixture = try DrspcFixture()
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(executor: .local))
        #expect(try farm.status(request: outcome.request).state == "done")
        let path = fixture.dir.file("report.html")
        let report = try RequestReport(inputs: try farm.reportInputs(request: outcome.request)).write(to: path)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("slope high gain, cell") && html.contains("slope medium gain, median over cells"))
        #expect(report.maps == 2 * 2 * 2)  // channels 1 and 14
    }
}
