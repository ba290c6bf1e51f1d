import ArgumentParser
import Farm
import Foundation

/// `calfarm supervise`: follows one request to its end, applying the retry policy. `submit`
/// runs it as a SLURM job of its own (`supervisor.enabled`); a user may also run it by hand.
struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Follow a SLURM request to its end, applying the retry policy (what the supervisor job runs).",
        discussion: """
            At most one supervisor follows a request: a second one exits at once, saying which one \
            holds the request. Inside a SLURM job it submits its successor before its time limit \
            (supervisor.time_limit). It exits 0 when the request has ended, whatever its state; \
            `calfarm status` tells the outcome.
            """)

    @Argument(help: "Request id.")
    var request: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CommandFailure.run {
            let environment = ProcessInfo.processInfo.environment
            let farm = try database.openFarm()
            let outcome = try farm.supervise(request: request, slurmJobID: environment["SLURM_JOB_ID"],
                                             progress: { print($0) })
            switch outcome {
            case .requestEnded(let state): print("request \(request) ended: \(state)")
            case .handedOver(let job): print("request \(request) handed over to SLURM job \(job)")
            case .otherSupervisor(let holder): print("request \(request) is followed by \(holder); nothing to do")
            }
        }
    }
}
