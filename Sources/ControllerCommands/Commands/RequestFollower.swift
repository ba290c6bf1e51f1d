import ArgumentParser
import Farm

/// Follows a request to its end for `submit --wait`, `resume --wait` and `status --watch`:
/// `Farm.wait` polls politely; after each refresh one summary line goes to stderr (or, for
/// `--watch`, the whole table or a one-line JSON document to stdout).
struct RequestFollower {
    var farm: Farm
    var json: Bool
    /// Redraw the whole status (watch) instead of a one-line summary.
    var redraw = false
    var interval: Double = 5
    /// Where progress goes without `redraw` (a status line on a terminal, quiet lines elsewhere).
    var display: ProgressDisplay?

    func follow(_ request: String) throws -> StatusReport {
        let display = self.display ?? ProgressDisplay(farm: farm, request: request)
        display.request = request
        defer { display.finish() }
        return try farm.wait(request: request, interval: interval) { report in
            guard redraw else { return display.update(report) }
            if json {
                try? JSONOutput.print(report, pretty: false)
            } else {
                print(StatusTable(report: report).render() + "\n")
            }
        }
    }

    /// `request R: 12/50 done, 3 running, 30 pending, 1 failed (running)`.
    static func summary(_ report: StatusReport) -> String {
        let jobs = report.jobs
        var parts = ["\(jobs.done)/\(jobs.total) done", "\(jobs.running) running", "\(jobs.pending) pending"]
        if jobs.failed > 0 { parts.append("\(jobs.failed) failed") }
        if jobs.cancelled > 0 { parts.append("\(jobs.cancelled) cancelled") }
        return "request \(report.request): " + parts.joined(separator: ", ") + " (\(report.state))"
    }

    /// Exit status 1 (through `ExitCode`) unless the request ended with every job unit done.
    static func exitUnlessDone(_ report: StatusReport) throws {
        if report.state != RequestState.done.rawValue { throw ExitCode(CommandFailure.runtime) }
    }
}
