import Foundation

/// One `sbatch` submission: a batch script plus the options CalFarm sets on it.
public struct SbatchRequest: Hashable, Sendable {
    public var scriptPath: String
    public var jobName: String
    /// Stored with the job (and, with `AccountingStoreFlags=job_comment`, in accounting); CalFarm
    /// puts its idempotency token here so a submission can be found again after a crash.
    public var comment: String?
    /// `--array`, for example `0-15%4` (tasks 0…15, at most 4 at once) or `1,3,7`.
    public var array: String?
    public var dependencies: [SlurmDependency]
    /// `--kill-on-invalid-dep=yes`: cancel instead of pending forever when a parent fails.
    public var killOnInvalidDependency: Bool
    /// `--time`, in any SLURM form (`30`, `1:00:00`, `2-00:00:00`).
    public var timeLimit: String?
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// `--mem`, for example `4G`.
    public var memory: String?
    public var cpusPerTask: Int?
    /// `--output` / `--error`; may contain SLURM patterns such as `%A_%a`.
    public var outputPath: String?
    public var errorPath: String?
    public var workingDirectory: String?
    /// Passed through verbatim before the script path.
    public var extraArguments: [String]

    public init(scriptPath: String, jobName: String, comment: String? = nil,
                array: String? = nil, dependencies: [SlurmDependency] = [],
                killOnInvalidDependency: Bool = false, timeLimit: String? = nil,
                partition: String? = nil, account: String? = nil, qos: String? = nil,
                memory: String? = nil, cpusPerTask: Int? = nil, outputPath: String? = nil,
                errorPath: String? = nil, workingDirectory: String? = nil,
                extraArguments: [String] = []) {
        self.scriptPath = scriptPath
        self.jobName = jobName
        self.comment = comment
        self.array = array
        self.dependencies = dependencies
        self.killOnInvalidDependency = killOnInvalidDependency
        self.timeLimit = timeLimit
        self.partition = partition
        self.account = account
        self.qos = qos
        self.memory = memory
        self.cpusPerTask = cpusPerTask
        self.outputPath = outputPath
        self.errorPath = errorPath
        self.workingDirectory = workingDirectory
        self.extraArguments = extraArguments
    }

    /// The arguments after `sbatch`, ending with the script path.
    ///
    /// - Throws: ``SlurmError/invalidRequest(field:value:reason:)`` for an empty job name or
    ///   script path, a malformed array spec, a dependency without parents, or cpus < 1.
    public func arguments() throws -> [String] {
        guard !scriptPath.isEmpty else {
            throw SlurmError.invalidRequest(field: "scriptPath", value: scriptPath, reason: "is empty")
        }
        guard !jobName.isEmpty, !jobName.contains(where: \.isNewline) else {
            throw SlurmError.invalidRequest(field: "jobName", value: jobName,
                                            reason: "must be non-empty and on one line")
        }
        var args = ["--parsable", "--job-name=\(jobName)"]
        if let comment { args.append("--comment=\(comment)") }
        if let array {
            guard Self.isValidArraySpec(array) else {
                throw SlurmError.invalidRequest(
                    field: "array", value: array,
                    reason: "is not an index list such as 0-15%4 or 1,3,5-7")
            }
            args.append("--array=\(array)")
        }
        if !dependencies.isEmpty {
            args.append("--dependency=\(try SlurmDependency.argument(for: dependencies))")
        }
        if killOnInvalidDependency { args.append("--kill-on-invalid-dep=yes") }
        if let timeLimit { args.append("--time=\(timeLimit)") }
        if let partition { args.append("--partition=\(partition)") }
        if let account { args.append("--account=\(account)") }
        if let qos { args.append("--qos=\(qos)") }
        if let memory { args.append("--mem=\(memory)") }
        if let cpusPerTask {
            guard cpusPerTask >= 1 else {
                throw SlurmError.invalidRequest(field: "cpusPerTask", value: "\(cpusPerTask)",
                                                reason: "must be at least 1")
            }
            args.append("--cpus-per-task=\(cpusPerTask)")
        }
        if let outputPath { args.append("--output=\(outputPath)") }
        if let errorPath { args.append("--error=\(errorPath)") }
        if let workingDirectory { args.append("--chdir=\(workingDirectory)") }
        return args + extraArguments + [scriptPath]
    }

    /// `A[-B[:S]]` items separated by commas, optionally followed by `%N`.
    static func isValidArraySpec(_ spec: String) -> Bool {
        var body = Substring(spec)
        if let percent = body.firstIndex(of: "%") {
            guard let limit = Int(body[body.index(after: percent)...]), limit > 0 else { return false }
            body = body[..<percent]
        }
        let items = body.split(separator: ",", omittingEmptySubsequences: false)
        return !items.isEmpty && items.allSatisfy { item in
            let stepParts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { return false }
            if stepParts.count == 2, Int(stepParts[1]).map({ $0 > 0 }) != true { return false }
            let bounds = stepParts[0].split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                  let values = Optional(bounds.compactMap { Int($0) }),
                  values.count == bounds.count, values.allSatisfy({ $0 >= 0 }) else { return false }
            return values.count == 1 || values[0] <= values[1]
        }
    }
}
