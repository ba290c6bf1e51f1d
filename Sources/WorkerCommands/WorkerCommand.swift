import ArgumentParser

/// `calfarm-worker`: executes exactly one job unit from its spec file.
public struct WorkerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "calfarm-worker",
        abstract: "Execute one CalFarm job unit (preprocess, gather, process, merge or join) from its spec.",
        subcommands: [])
    public init() {}
}
