import CalFarmTestSupport
@testable import ControllerCommands
import Farm
import Foundation
import Testing

/// Issue 14 §5: progress reaches the user: a status line redrawn in place on a terminal, quiet
/// lines elsewhere, never one line per finished unit.
@Suite("progress display")
struct ProgressDisplayTests {
    static func simulate(in dir: TemporaryDirectory) throws {
        let run = try CalfarmProcess.run(["simulate", "--type", "dark", "--output-dir", dir.file("in"), "--runs", "11", "12", "13",
                                          "--channels", "0,8", "--trains", "4", "--cells", "2"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    static func submit(_ dir: TemporaryDirectory, output: String) -> [String] {
        ["submit", "--type", "dark", "--input-dir", dir.file("in"), "--output-dir", dir.file(output), "--runs", "11", "12", "13",
         "--channels", "0,8", "--executor", "local", "--wait", "--db", dir.file("db.sqlite"), "--set", "process.n_jobs=4"]
    }

    @Test("without a terminal: status lines per step, none per finished unit, and the answer alone on stdout")
    func quietWithoutTerminal() throws {
        let dir = try TemporaryDirectory("progress-pipe")
        try Self.simulate(in: dir)
        let run = try CalfarmProcess.run(Self.submit(dir, output: "out"), environment: ["CALFARM_HOME": dir.file("home")])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        // No unit's own "…: done" line, no terminal control characters
        #expect(!lines.contains { $0.hasSuffix(": done") }, "\(lines)")
        #expect(!run.stderr.contains("\u{1B}[K") && !run.stderr.contains("\r"))
        // The last status line shows every step complete
        let status = lines.filter { $0.hasPrefix("[") }
        #expect(status.last?.hasSuffix("] preprocess 3/3 · gather 6/6 · process 8/8 · join 2/2") == true, "\(lines)")
        #expect(status.count <= 6, "\(status)")
        #expect(run.stdout.hasPrefix("dark-"))
    }

    @Test("on a terminal: one status line redrawn in place with the running units, cleared before the answer")
    func redrawnOnTerminal() throws {
        let dir = try TemporaryDirectory("progress-pty")
        try Self.simulate(in: dir)
        // `script` gives the command a pseudo-terminal; its stdout (the answer) goes to a file
        let command = ([try BuiltProducts.executable("calfarm")] + Self.submit(dir, output: "out"))
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            + " > " + dir.file("answer.txt")
        let run = try ChildProcess.run("script", ["-qfec", command, "/dev/null"],
                                       environment: ChildProcess.baseEnvironment(["CALFARM_HOME": dir.file("home")]))
        #expect(run.status == 0, "\(run.stdout)")
        let screen = run.stdout
        #expect(screen.contains("\r\u{1B}[K[0:0"), "\(screen.debugDescription)")
        #expect(screen.contains(" · running: "), "\(screen.debugDescription)")
        #expect(screen.contains("process 8/8 · join 2/2"))
        #expect(!screen.contains(": done\r\n"))
        // The submit line is printed above the status line, which is cleared at the end
        #expect(screen.contains("\r\u{1B}[Ksubmitted request dark-"), "\(screen.debugDescription)")
        #expect(screen.hasSuffix("\r\u{1B}[K"), "\(screen.suffix(200).debugDescription)")
        #expect(try String(contentsOfFile: dir.file("answer.txt"), encoding: .utf8).hasPrefix("dark-"))
    }

    @Test("the status line: elapsed time, done/total per step with failures, the first running units")
    func statusText() {
        var gather = StatusReportCounts(total: 6, done: 4, failed: 1)
        let text = ProgressDisplay.status(elapsed: 3725, counts: [("gather", gather.counts)], running: ["a", "b", "c"])
        #expect(text == "[1:02:05] gather 4/6 (1 failed) · running: a, b (+1)")
        gather = StatusReportCounts(total: 2, done: 2)
        #expect(ProgressDisplay.status(elapsed: 65, counts: [("join", gather.counts)], running: []) == "[1:05] join 2/2")
        #expect(ProgressDisplay.isUnitDone("gather.r0011.ch00.s00000: done"))
        #expect(!ProgressDisplay.isUnitDone("request dark-1 was cancelled: done"))
    }
}

/// Builds counts for the status-line tests.
struct StatusReportCounts {
    var counts = StatusReport.Counts()
    init(total: Int, done: Int, failed: Int = 0) {
        counts.total = total; counts.done = done; counts.failed = failed
    }
}
