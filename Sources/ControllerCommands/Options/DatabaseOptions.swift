import ArgumentParser
import Farm
import Foundation

/// `--db PATH`: which state database a command works on.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"),
            help: ArgumentHelp("State database (default: $CALFARM_DB, else $CALFARM_HOME/calfarm.sqlite, else ~/.calfarm/calfarm.sqlite).",
                               valueName: "path"))
    var path: String?

    /// The database path after the `--db` / environment / home-directory rules.
    func resolvedPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Farm.databasePath(explicit: path, environment: environment)
    }

    /// Opens the controller on the resolved database.
    func openFarm() throws -> Farm {
        let environment = ProcessInfo.processInfo.environment
        return try Farm(databasePath: resolvedPath(environment: environment), environment: environment)
    }
}
