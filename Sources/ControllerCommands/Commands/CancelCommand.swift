import ArgumentParser
import Farm

/// `calfarm cancel`: cancels every queued or running job unit of a request.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel every queued or running job unit of a request (resume can rerun them).")

    @Argument(help: "Request id.")
    var request: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try CommandFailure.run {
            let outcome = try database.openFarm().cancel(request: request)
            if output.json { return try JSONOutput.print(outcome) }
            var line = "request \(outcome.request): \(outcome.cancelled) job units cancelled"
            if !outcome.slurmJobs.isEmpty { line += " (SLURM jobs \(outcome.slurmJobs.joined(separator: " ")))" }
            print(line)
        }
    }
}
