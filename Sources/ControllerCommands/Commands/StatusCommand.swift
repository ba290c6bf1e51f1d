import ArgumentParser
import Farm

/// `calfarm status`: counts per step and state, failed jobs with reason and log, missing ASICs.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a request's progress, failed jobs and missing ASICs.",
        discussion: """
            --json prints the StatusReport: {"request", "state", "jobs": {"total", "pending", "running", \
            "done", "failed", "cancelled"}, "steps", "failed", "missing", "notes", ...}. With --watch, \
            one report per refresh (JSON: one line each) until the request ends; then the exit status \
            is 0 if every job unit is done, else 1.
            """)

    @Argument(help: "Request id (default: the latest request).")
    var request: String?

    @Flag(help: "Refresh and redraw until the request ends.")
    var watch = false

    @Option(help: ArgumentHelp("Seconds between refreshes with --watch (at least 2; grows while nothing changes).",
                               valueName: "seconds"))
    var interval: Double = 5

    @Flag(help: "Show the database as it is, without asking SLURM or reading result files.")
    var noRefresh = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if watch && noRefresh { throw ValidationError("--watch and --no-refresh cannot be combined") }
        if interval < 2 { throw ValidationError("--interval must be at least 2 seconds, got \(interval)") }
    }

    func run() throws {
        try CommandFailure.run {
            let farm = try database.openFarm()
            let report = try farm.status(request: request, refresh: !noRefresh)
            guard watch else {
                if output.json { try JSONOutput.print(report) } else { print(StatusTable(report: report).render()) }
                return
            }
            if output.json { try JSONOutput.print(report, pretty: false) } else { print(StatusTable(report: report).render() + "\n") }
            var final = report
            if !(RequestState(rawValue: report.state)?.isTerminal ?? false) {
                final = try RequestFollower(farm: farm, json: output.json, redraw: true, interval: interval)
                    .follow(report.request)
            }
            try RequestFollower.exitUnlessDone(final)
        }
    }
}
