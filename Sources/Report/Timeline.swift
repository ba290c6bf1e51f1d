import Farm
import FarmContract
import Foundation

/// The timeline: one row per job unit (grouped by step), one bar per attempt from submission
/// (pale: waiting) to start and end (coloured by outcome), the critical path outlined.
struct Timeline {
    static let rowHeight = 7, labelWidth = 190, plotWidth = 900
    /// Rows beyond this are left out (and said so): a 100k-unit request stays a readable page.
    static let maxRows = 1500

    let inputs: ReportInputs

    func criticalPath() -> Set<String> { Set(inputs.criticalPath()) }

    func svg() -> (svg: String, note: String?) {
        let order = Step.allCases.map(\.rawValue)
        let jobs = inputs.jobs.sorted { (order.firstIndex(of: $0.step.rawValue) ?? 9, $0.id) < (order.firstIndex(of: $1.step.rawValue) ?? 9, $1.id) }
        let shown = Array(jobs.prefix(Self.maxRows))
        let byJob = Dictionary(grouping: inputs.attempts, by: \.job)
        let times = inputs.attempts.flatMap { [$0.submittedAt, $0.startedAt, $0.endedAt].compactMap { $0 } }
        let start = min(times.min() ?? inputs.record.createdAt, inputs.record.createdAt)
        let end = max(times.max() ?? start.addingTimeInterval(1), start.addingTimeInterval(1))
        let span = end.timeIntervalSince(start)
        func x(_ date: Date) -> Double { Double(Self.labelWidth) + Double(Self.plotWidth) * date.timeIntervalSince(start) / span }
        let critical = criticalPath()
        var parts: [String] = []
        var previousStep: Step?
        for (row, job) in shown.enumerated() {
            let y = 14 + row * Self.rowHeight
            if job.step != previousStep {
                parts.append("<text x=\"2\" y=\"\(y + 6)\" class=\"step\">\(job.step.rawValue)</text>")
                previousStep = job.step
            }
            if critical.contains(job.id) {
                parts.append("<rect x=\"\(Self.labelWidth - 6)\" y=\"\(y)\" width=\"4\" height=\"\(Self.rowHeight - 1)\" class=\"critical\"/>")
            }
            for attempt in byJob[job.id] ?? [] {
                let submitted = attempt.submittedAt ?? attempt.startedAt ?? start
                let started = attempt.startedAt ?? attempt.endedAt ?? end
                let ended = attempt.endedAt ?? end
                let title = Self.escape("\(job.id) attempt \(attempt.number): \(attempt.state.rawValue)"
                    + (attempt.node.map { " on \($0)" } ?? "") + (attempt.reason.map { " — \($0)" } ?? ""))
                let outline = critical.contains(job.id) ? " critical-bar" : ""
                let h = Self.rowHeight - 1
                parts.append("<rect x=\"\(f(x(submitted)))\" y=\"\(y)\" width=\"\(f(max(0.5, x(started) - x(submitted))))\" "
                    + "height=\"\(h)\" class=\"wait\"><title>\(title) (waiting)</title></rect>")
                parts.append("<rect x=\"\(f(x(started)))\" y=\"\(y)\" width=\"\(f(max(1, x(ended) - x(started))))\" height=\"\(h)\" "
                    + "class=\"\(attempt.state.rawValue)\(outline)\" data-attempt=\"\(job.id) \(attempt.number)\"><title>\(title)</title></rect>")
            }
        }
        let height = 30 + shown.count * Self.rowHeight
        let axis = (0...4).map { i -> String in
            let t = span * Double(i) / 4
            let px = Double(Self.labelWidth) + Double(Self.plotWidth) * Double(i) / 4
            return "<text x=\"\(f(px))\" y=\"10\" class=\"axis\">\(Self.duration(t))</text>"
        }.joined()
        let svg = "<svg width=\"\(Self.labelWidth + Self.plotWidth + 20)\" height=\"\(height)\" class=\"timeline\">\(axis)\(parts.joined())</svg>"
        let note = jobs.count > shown.count ? "showing the first \(shown.count) of \(jobs.count) job units" : nil
        return (svg, note)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func duration(_ seconds: Double) -> String {
        seconds < 120 ? String(format: "%.1f s", seconds) : seconds < 7200 ? String(format: "%.1f min", seconds / 60)
            : String(format: "%.1f h", seconds / 3600)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
