import ArgumentParser
import FarmContract

/// `calfarm-worker`: executes exactly one job unit from its spec file. It reads and writes HDF5,
/// renames every output into place only when complete, and reports through a result file; it
/// never touches the controller's database.
public struct WorkerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "calfarm-worker",
        abstract: "Execute one CalFarm job unit (preprocess, gather, process, merge or join) from its spec.",
        discussion: """
            The spec is written by `calfarm submit`; the result file named in it is written atomically \
            and ingested by the controller. Set CALFARM_FAULT to inject failures in tests.
            """,
        version: CalFarmVersion.current,
        subcommands: [RunCommand.self, InspectCommand.self])
    public init() {}
}
