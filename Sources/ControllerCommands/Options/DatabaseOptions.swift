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

    /// Opens the controller on the resolved database. Only commands that create requests
    /// (`submit`, and `plan`, which checks against the stored ones) may create the database: a
    /// mistyped `--db` for `status` or `requests` is an error, not a new empty database.
    func openFarm(creating: Bool = false) throws -> Farm {
        let environment = ProcessInfo.processInfo.environment
        let path = resolvedPath(environment: environment)
        if !creating, !FileManager.default.fileExists(atPath: path) {
            throw FarmError.invalidState("no state database at \(path) (check --db or CALFARM_DB); "
                + "`calfarm submit` creates it with the first request")
        }
        return try Farm(databasePath: path, environment: environment)
    }
}
