import Farm
import FarmContract
import Foundation

/// Progress of a request while a command follows it, on stderr. On a terminal: one status line
/// redrawn in place (elapsed time, done/total per step, failures, the running units), with
/// notable lines (failures, warnings, submissions) printed above it. Elsewhere (a log file, a
/// pipe, CI): line-oriented and quiet, a status line when a step completes or at most every
/// `quietInterval` seconds, and never one line per finished unit.
final class ProgressDisplay {
    private let farm: Farm
    /// The request followed; set once `submit` has created it.
    var request: String?
    let isTerminal: Bool
    private let started = Date()
    private let write: (String) -> Void
    private var statusShown = false
    private var lastStatus = Date.distantPast
    private var lastQuiet: String?
    private var completeSteps: Set<String> = []
    var quietInterval: Double = 30

    init(farm: Farm, request: String? = nil, isTerminal: Bool = isatty(STDERR_FILENO) == 1,
         write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.farm = farm
        self.request = request
        self.isTerminal = isTerminal
        self.write = write
    }

    /// A progress line from the controller. A unit that ended well shows only in the counts.
    func line(_ text: String) {
        if !Self.isUnitDone(text) { persistent(text) }
        if let request, let counts = try? farm.store.statusCounts(request: request) {
            show(counts: Self.counts(counts), running: runningUnits(request))
        }
    }

    /// After a refresh of `--wait`.
    func update(_ report: StatusReport) {
        show(counts: report.stepOrder.compactMap { name in report.steps[name].map { (name, $0) } },
             running: runningUnits(report.request), force: true)
    }

    /// Clears the status line (the command prints its answer next).
    func finish() {
        if isTerminal, statusShown { write("\r\u{1B}[K") }
        statusShown = false
    }

    /// `[1:05] preprocess 3/3 · gather 12/12 · process 5/32 (1 failed) · join 0/1 · running: a, b (+3)`.
    static func status(elapsed: TimeInterval, counts: [(step: String, counts: StatusReport.Counts)], running: [String]) -> String {
        let seconds = Int(elapsed)
        let clock = seconds >= 3600 ? String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
            : String(format: "%d:%02d", seconds / 60, seconds % 60)
        var parts = counts.map { step, c -> String in
            var text = "\(step) \(c.done)/\(c.total)"
            if c.failed > 0 { text += " (\(c.failed) failed)" }
            if c.cancelled > 0 { text += " (\(c.cancelled) cancelled)" }
            return text
        }
        if !running.isEmpty {
            let shown = running.prefix(2).joined(separator: ", ")
            parts.append("running: " + shown + (running.count > 2 ? " (+\(running.count - 2))" : ""))
        }
        return "[\(clock)] " + parts.joined(separator: " · ")
    }

    private func show(counts: [(step: String, counts: StatusReport.Counts)], running: [String], force: Bool = false) {
        let now = Date()
        let text = Self.status(elapsed: now.timeIntervalSince(started), counts: counts, running: running)
        if isTerminal {
            guard force || now.timeIntervalSince(lastStatus) >= 0.2 else { return }
            write("\r\u{1B}[K" + Self.fit(text, width: Self.terminalWidth()))
            statusShown = true
        } else {
            let complete = Set(counts.filter { $0.counts.total > 0 && $0.counts.done + $0.counts.failed + $0.counts.cancelled == $0.counts.total }.map(\.step))
            let stepEnded = !complete.subtracting(completeSteps).isEmpty
            completeSteps = complete
            let counted = String(text.drop { $0 != "]" })
            guard counted != lastQuiet, stepEnded || now.timeIntervalSince(lastStatus) >= quietInterval else { return }
            lastQuiet = counted
            write(text + "\n")
        }
        lastStatus = now
    }

    private func persistent(_ text: String) {
        write((isTerminal && statusShown ? "\r\u{1B}[K" : "") + text + "\n")
        statusShown = false
        lastStatus = .distantPast
    }

    private func runningUnits(_ request: String) -> [String] {
        let open = ((try? farm.store.openAttempts(request: request)) ?? []) + ((try? farm.store.openLocalAttempts(request: request)) ?? [])
        return open.filter { $0.state == .running }.map(\.job).sorted()
    }

    /// `gather.r0011.ch00.s00000: done`, the local executor's line for a unit that ended well.
    static func isUnitDone(_ text: String) -> Bool {
        text.hasSuffix(": done") && !text.dropLast(6).contains(" ")
    }

    static func counts(_ byStep: [Step: [JobState: Int]]) -> [(step: String, counts: StatusReport.Counts)] {
        Step.allCases.compactMap { step in
            guard let states = byStep[step] else { return nil }
            var c = StatusReport.Counts()
            for (state, n) in states { c.add(state, n) }
            return (step.rawValue, c)
        }
    }

    private static func fit(_ text: String, width: Int) -> String {
        text.count < width ? text : String(text.prefix(max(10, width - 2))) + "…"
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 100
    }
}
