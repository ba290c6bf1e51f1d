import ArgumentParser

/// `calfarm`: the controller. Turns requests into a job DAG, submits it, answers status.
public struct CalFarmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "calfarm",
        abstract: "Plan, submit, watch, resume and cancel AGIPD calibration job farms on SLURM.",
        subcommands: [])
    public init() {}
}
