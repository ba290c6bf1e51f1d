import ArgumentParser
import Farm

/// `calfarm submit`: plan, store and submit a request; prints its id (or the outcome as JSON).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Plan, store and submit a calibration request.",
        discussion: """
            Prints the request id on stdout (progress and warnings go to stderr). With --json: \
            {"request", "jobs", "sbatchCalls", "executor", "warnings"}. With --wait the command \
            follows the request to its end, prints the status, and exits 1 unless every job unit is done.
            """)

    @OptionGroup var request: RequestOptions

    @Flag(help: "Only plan and print the DAG, configuration and scripts (same as `calfarm plan`).")
    var dryRun = false

    @Flag(help: "Wait until the request ends; print its status; exit 1 if it ended failed or partial.")
    var wait = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if dryRun && wait { throw ValidationError("--dry-run and --wait cannot be combined: a dry run submits nothing") }
        // The local executor's workers are children of this command: without --wait it would
        // run the request in the foreground all the same and exit 0 whatever happened.
        if request.executor == .local && !wait && !dryRun {
            throw ValidationError("--executor local runs the request in this terminal: add --wait (the exit code then "
                + "says whether every job unit is done), or use --executor slurm to return at once")
        }
    }

    func run() throws {
        try CommandFailure.run(json: output.json) {
            let farm = try database.openFarm(creating: true)
            if dryRun {
                return try PlanCommand.show(try farm.plan(request.submitOptions), json: output.json)
            }
            let display = ProgressDisplay(farm: farm)
            farm.onRequestCreated = { display.request = $0 }
            let outcome = try farm.submit(request.submitOptions, progress: display.line)
            display.finish()
            outcome.warnings.forEach(Console.warning)
            Console.progress("submitted request \(outcome.request): \(outcome.jobs) job units, "
                             + "\(outcome.sbatchCalls) sbatch calls (\(outcome.executor))")
            guard wait else {
                if output.json { try JSONOutput.print(outcome) } else { print(outcome.request) }
                return
            }
            let report = try RequestFollower(farm: farm, json: output.json, display: display).follow(outcome.request)
            if output.json {
                try JSONOutput.print(SubmitWithStatus(outcome: outcome, status: report))
            } else {
                print(outcome.request)
                print(StatusTable(report: report).render())
            }
            try RequestFollower.exitUnlessDone(report)
        }
    }
}

/// `submit --wait --json`: the submit outcome's keys plus `status` (the final StatusReport).
struct SubmitWithStatus: Encodable {
    var outcome: SubmitOutcome
    var status: StatusReport

    private enum Keys: String, CodingKey { case status }

    func encode(to encoder: Encoder) throws {
        try outcome.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(status, forKey: .status)
    }
}
