import FarmContract

/// Everything one rendered job-array script says. Values are plain (unquoted) here; the renderer
/// quotes each for where it lands. Dependencies are not part of the script: the executor passes
/// them on the sbatch command line.
public struct ArrayScript: Sendable, Equatable {
    /// Mail settings, given only to the request's mail carrier (mail once per request, not per job).
    public struct Mail: Sendable, Equatable {
        public var type: String
        public var user: String
        public init(type: String, user: String) {
            self.type = type
            self.user = user
        }
    }

    public var request: String
    /// The array group, e.g. `gather.r0819`; names the log files.
    public var group: String
    /// SLURM job name. ``init(group:configuration:requestID:token:logDirectory:specDirectory:workerPath:isMailCarrier:)``
    /// uses `calfarm-<request>` for every group so one `sacct --name` finds the whole request.
    public var jobName: String
    /// SLURM comment; carries the idempotency token recorded before `sbatch`.
    public var comment: String
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var resources: StepResources
    /// Task ids without the throttle, e.g. `1-96`. Ids must stay below MaxArraySize; a split part
    /// uses `1-k` plus ``taskOffset``.
    public var arraySpec: String
    public var logDirectory: String
    /// The array's spec file (JSON Lines, one `JobSpec` per line); task N runs line
    /// N − 1 + ``taskOffset`` (0-based), which the worker reads itself.
    public var tasksFile: String
    public var taskOffset: Int
    public var workerPath: String
    public var mail: Mail?
    /// Raw sbatch options, one per `#SBATCH` line.
    public var extraSbatch: [String]
    /// Shell lines run before the worker (e.g. `module load hdf5`); written verbatim.
    public var environment: [String]

    public init(request: String, group: String, jobName: String, comment: String, partition: String? = nil,
                account: String? = nil, qos: String? = nil, resources: StepResources, arraySpec: String,
                logDirectory: String, tasksFile: String, taskOffset: Int = 0, workerPath: String,
                mail: Mail? = nil, extraSbatch: [String] = [], environment: [String] = []) {
        self.request = request
        self.group = group
        self.jobName = jobName
        self.comment = comment
        self.partition = partition
        self.account = account
        self.qos = qos
        self.resources = resources
        self.arraySpec = arraySpec
        self.logDirectory = logDirectory
        self.tasksFile = tasksFile
        self.taskOffset = taskOffset
        self.workerPath = workerPath
        self.mail = mail
        self.extraSbatch = extraSbatch
        self.environment = environment
    }

    /// The script of one array of `tasks` tasks, with the SLURM settings from the configuration.
    /// The one place that maps `general.*` onto a script: the SLURM executor, `plan` and the
    /// benchmark all build their scripts here.
    /// - Parameters:
    ///   - token: the idempotency token, written as the job comment.
    ///   - logDirectory: where `<group>_%A_%a.log` goes (stdout and stderr).
    ///   - specFile: the array's spec file (JSON Lines).
    ///   - workerPath: `calfarm-worker`; defaults to ``WorkerLocation`` without environment.
    ///   - isMailCarrier: true for the one script per request that sends the mail (e.g. join's).
    public init(group: String, tasks: Int, resources: StepResources, configuration: Configuration, requestID: String,
                token: String, logDirectory: String, specFile: String, taskOffset: Int = 0,
                workerPath: String? = nil, isMailCarrier: Bool = false) {
        let general = configuration.general
        self.init(request: requestID, group: group, jobName: Self.jobName(request: requestID), comment: token,
                  partition: general.partition, account: general.account, qos: general.qos,
                  resources: resources, arraySpec: "1-\(tasks)", logDirectory: logDirectory,
                  tasksFile: specFile, taskOffset: taskOffset,
                  workerPath: workerPath ?? WorkerLocation.path(configured: general.worker, environment: [:]),
                  mail: isMailCarrier ? general.mailUser.map { Mail(type: general.mailType, user: $0) } : nil,
                  extraSbatch: general.extraSbatch, environment: general.environment)
    }

    /// The script for a whole ``ArrayGroup``, its spec file `<specDirectory>/<group>.jsonl`.
    public init(group: ArrayGroup, configuration: Configuration, requestID: String,
                token: String, logDirectory: String, specDirectory: String, workerPath: String? = nil,
                isMailCarrier: Bool = false) {
        self.init(group: group.name, tasks: group.units.count, resources: group.resources,
                  configuration: configuration, requestID: requestID, token: token, logDirectory: logDirectory,
                  specFile: Self.tasksFile(specDirectory: specDirectory, group: group.name),
                  workerPath: workerPath, isMailCarrier: isMailCarrier)
    }

    /// `calfarm-<request>` for every array of a request, so one `sacct --name` finds them all.
    public static func jobName(request: String) -> String { "calfarm-\(request)" }

    /// `<specDirectory>/<group>.jsonl`.
    public static func tasksFile(specDirectory: String, group: String) -> String { "\(specDirectory)/\(group).jsonl" }

    /// The log file's SLURM pattern: stdout and stderr of a task share one file.
    public var outputPattern: String { "\(logDirectory)/\(group)_%A_%a.log" }
}
