import ArgumentParser
import Farm

/// `calfarm resume`: reruns what failed or never ran, and what is downstream of it.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resubmit failed, cancelled or never-run job units and the units downstream of them.",
        discussion: "Done units never rerun. Submissions a killed controller left half-done are found in SLURM, not duplicated.")

    @Argument(help: "Request id.")
    var request: String

    @Flag(help: "Wait until the request ends; print its status; exit 1 if it ended failed or partial.")
    var wait = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try CommandFailure.run {
            let farm = try database.openFarm()
            let display = ProgressDisplay(farm: farm, request: request)
            let outcome = try farm.resume(request: request, progress: display.line)
            display.finish()
            if output.json && !wait { try JSONOutput.print(outcome) }
            if !output.json {
                print("request \(outcome.request): \(outcome.resubmitted.count) job units resubmitted, "
                      + "\(outcome.recovered) submissions recovered, \(outcome.sbatchCalls) sbatch calls")
                let shown = outcome.resubmitted.prefix(20)
                shown.forEach { print("  \($0)") }
                if outcome.resubmitted.count > shown.count { print("  … and \(outcome.resubmitted.count - shown.count) more") }
            }
            guard wait else { return }
            let report = try RequestFollower(farm: farm, json: output.json, display: display).follow(outcome.request)
            if output.json { try JSONOutput.print(report) } else { print(StatusTable(report: report).render()) }
            try RequestFollower.exitUnlessDone(report)
        }
    }
}
