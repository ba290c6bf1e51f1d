import ArgumentParser
import Foundation

/// `calfarm`: the controller. Turns requests into a job DAG, submits it, answers status.
public struct CalFarmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "calfarm",
        abstract: "Plan, submit, watch, resume and cancel AGIPD calibration job farms on SLURM.",
        subcommands: [SubmitCommand.self, PlanCommand.self, StatusCommand.self, ResumeCommand.self,
                      CancelCommand.self, SuperviseCommand.self, LogsCommand.self, ReportCommand.self, RequestsCommand.self, SimulateCommand.self,
                      CompareTruthCommand.self])
    public init() {}

    /// Parses and runs a command. Errors that reach here are parse or validation errors (command
    /// bodies report their own through `CommandFailure`): `calfarm: error: <message>`, the usage,
    /// and exit status 2. Help and explicit exit codes pass through unchanged.
    public static func main(_ arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error where error is ExitCode || exitCode(for: error) == .success {
            exit(withError: error)
        } catch {
            Console.error(message(for: error))
            let usage = fullMessage(for: error, columns: 100).split(separator: "\n", omittingEmptySubsequences: false)
                .drop { !$0.hasPrefix("Usage:") }
            if !usage.isEmpty { Console.standardError(usage.joined(separator: "\n")) }
            Foundation.exit(CommandFailure.badInput)
        }
    }
}
