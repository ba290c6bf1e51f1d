import Farm
import Foundation

/// The human form of `calfarm status`: a header line, one row per step with counts per state
/// and a progress bar, then the failed jobs with reason and log, missing ASICs, and notes.
struct StatusTable {
    var report: StatusReport
    /// Characters in the progress bar: `#` done, `!` failed or cancelled, `.` not ended.
    var barWidth = 20

    func render() -> String {
        var lines = [
            "request \(report.request)  \(report.measurement)  executor \(report.executor)  state \(report.state)",
            "created \(Self.timestamp(report.createdAt))  output \(report.outputDir)",
        ]
        if let supervisor = report.supervisor { lines.append("supervisor \(supervisor)") }
        lines.append("")
        var table = TextTable(header: ["step", "total", "pending", "running", "done", "failed", "cancelled", "progress"],
                              rightAligned: [1, 2, 3, 4, 5, 6])
        for step in report.stepOrder {
            if let counts = report.steps[step] { table.append(row(step, counts)) }
        }
        table.append(row("all", report.jobs))
        lines.append(table.render())
        if !report.failed.isEmpty {
            lines += ["", "failed jobs (\(report.failed.count)):"]
            for job in report.failed { lines += describe(job) }
        }
        if !report.missing.isEmpty {
            lines += ["", "missing:"]
            for missing in report.missing {
                lines.append("  \(missing.unit): ASICs \(IndexList.format(missing.asics)) — \(missing.reason)")
            }
        }
        if !report.warnings.isEmpty {
            let total = report.warnings.map(\.count).reduce(0, +)
            lines += ["", "warnings (\(total)):"]
            for group in report.warnings {
                lines.append("  \(group.step): \(group.count) from \(group.units) unit\(group.units == 1 ? "" : "s")")
                lines += group.examples.prefix(3).map { "    \($0)" }
                if group.count > 3 { lines.append("    … (\(group.count - 3) more: calfarm status --json)") }
            }
        }
        if !report.notes.isEmpty {
            lines += ["", "notes:"] + report.notes.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    private func row(_ name: String, _ counts: StatusReport.Counts) -> [String] {
        [name, "\(counts.total)", "\(counts.pending)", "\(counts.running)", "\(counts.done)", "\(counts.failed)",
         "\(counts.cancelled)", progress(counts)]
    }

    /// `[#####!!.......] 25%`: the percentage is of job units done.
    func progress(_ counts: StatusReport.Counts) -> String {
        guard counts.total > 0 else { return "[" + String(repeating: ".", count: barWidth) + "]   -" }
        let done = counts.done * barWidth / counts.total
        let bad = min(barWidth - done, ((counts.failed + counts.cancelled) * barWidth + counts.total - 1) / counts.total)
        let bar = String(repeating: "#", count: done) + String(repeating: "!", count: bad)
            + String(repeating: ".", count: barWidth - done - bad)
        let percent = counts.done * 100 / counts.total
        let shown = String(percent)
        return "[\(bar)] " + String(repeating: " ", count: 3 - min(3, shown.count)) + shown + "%"
    }

    private func describe(_ job: StatusReport.FailedJob) -> [String] {
        var facts = ["\(job.state)", "attempts \(job.attempts)"]
        if let exitCode = job.exitCode { facts.append("exit \(exitCode)") }
        if let slurm = job.slurmJobID { facts.append("slurm \(slurm)") }
        var lines = ["  \(job.job) (\(job.step)): " + facts.joined(separator: ", "),
                     "    reason: \(job.reason)",
                     "    log: \(job.log ?? "(none recorded)")"]
        if job.cancelledDependents > 0 {
            lines.append("    cancelled because of it: \(job.cancelledDependents) unit\(job.cancelledDependents == 1 ? "" : "s")")
        }
        return lines
    }

    /// `2024-05-01T12:00:00Z`: UTC, so the same report always renders the same text.
    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
    }
}
