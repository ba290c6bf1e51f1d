import Foundation

/// What the supervisor job's script says (`slurm-supervisor.sbatch.mustache`): one task that runs
/// `calfarm supervise <request> --db <database>`. Values are plain here; the renderer quotes them.
public struct SupervisorScript: Sendable, Equatable {
    public var request: String
    public var jobName: String
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var timeLimit: String
    public var memory: String?
    /// Where `supervisor_<job id>.log` goes.
    public var logDirectory: String
    /// The running `calfarm`, absolute.
    public var calfarmPath: String
    /// The state database, absolute: the job runs in another directory, maybe on another node.
    public var databasePath: String
    public var environment: [String]

    /// The supervisor of `request`, with the SLURM settings of `configuration` (`general`'s
    /// partition, account, QOS and environment lines; `supervisor`'s time limit and memory).
    public init(request: String, configuration: Configuration, logDirectory: String, calfarmPath: String, databasePath: String) {
        let general = configuration.general, settings = configuration.supervisor
        self.request = request
        jobName = Self.jobName(request: request)
        (partition, account, qos) = (general.partition, general.account, general.qos)
        (timeLimit, memory) = (settings.timeLimit, settings.memory)
        self.logDirectory = logDirectory
        self.calfarmPath = calfarmPath
        self.databasePath = databasePath
        environment = general.environment
    }

    /// `calfarm-<request>-supervisor`: not the arrays' name, so `sacct --name` of the arrays
    /// never mistakes it for one of them.
    public static func jobName(request: String) -> String { ArrayScript.jobName(request: request) + "-supervisor" }
}
