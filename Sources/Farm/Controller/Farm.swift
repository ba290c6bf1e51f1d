import FarmContract
import Foundation

/// The controller's facade: one state database, and the operations users run against it.
/// Commands are thin wrappers around these methods. Not thread-safe: one per process.
public final class Farm {
    public let store: FarmStore
    /// Environment the controller reads (CALFARM_* variables, HOME) and passes to workers.
    public let environment: [String: String]
    /// Called by `submit` once the request is stored, before its units run (a progress display
    /// learns which request to count).
    public var onRequestCreated: ((String) -> Void)?

    /// `--db`, else `CALFARM_DB`, else `$CALFARM_HOME/calfarm.sqlite` (`~/.calfarm`).
    public static func databasePath(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let env = environment["CALFARM_DB"], !env.isEmpty { return env }
        let home = environment["CALFARM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(environment["HOME"] ?? NSHomeDirectory())/.calfarm"
        return "\(home)/calfarm.sqlite"
    }

    public init(databasePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        // The journal mode may be forced by the site or user configuration (store.journal_mode);
        // a configuration that does not load is reported by the command that needs it.
        let layers = ConfigurationLayers.standard(environment: environment)
        let journal = (try? Configuration.load(layers))?.journalMode ?? .auto
        self.store = try FarmStore(path: databasePath, journal: journal)
        self.environment = environment
    }
}

extension Farm {
    /// The SLURM client, with CalFarm's variables (e.g. CALFARM_FAULT in tests) added to the
    /// environment of `sbatch`, which exports them to the jobs.
    var slurmClient: SlurmClient {
        let passed = environment.filter { $0.key.hasPrefix("CALFARM_") || $0.key == "SLURM_CONF" }
        return SlurmClient(runner: SlurmCommandRunner(environment: passed))
    }
}
