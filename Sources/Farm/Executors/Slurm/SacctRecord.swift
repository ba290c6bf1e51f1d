import Foundation

/// One line of `sacct -X`: the accounting record of a job or array task.
public struct SacctRecord: Hashable, Sendable {
    public var id: SlurmJobID
    /// For an array whose pending tasks are not split off yet, `sacct` prints one line such as
    /// `24_[2-5%2]`; then ``id`` is the array (`24`) and this holds `2-5%2`.
    public var pendingArrayTasks: String?
    public var name: String
    public var state: SlurmJobState
    /// The script's exit code (the part before `:` of `ExitCode`).
    public var exitCode: Int
    /// The signal that ended the job, or 0 (the part after `:`).
    public var signal: Int
    public var nodeList: String?
    public var start: Date?
    public var end: Date?
    public var elapsedSeconds: Int?
    public var comment: String?

    public init(id: SlurmJobID, pendingArrayTasks: String? = nil, name: String,
                state: SlurmJobState, exitCode: Int, signal: Int, nodeList: String?,
                start: Date?, end: Date?, elapsedSeconds: Int?, comment: String?) {
        self.id = id
        self.pendingArrayTasks = pendingArrayTasks
        self.name = name
        self.state = state
        self.exitCode = exitCode
        self.signal = signal
        self.nodeList = nodeList
        self.start = start
        self.end = end
        self.elapsedSeconds = elapsedSeconds
        self.comment = comment
    }
}

/// What an accounting query found.
public enum SacctResult: Hashable, Sendable {
    case records([SacctRecord])
    /// The cluster keeps no accounting ("Slurm accounting storage is disabled"): the caller
    /// must rely on `squeue` and result files alone, and say so.
    case accountingDisabled(message: String)

    /// The records, or none when accounting is disabled.
    public var records: [SacctRecord] {
        if case .records(let records) = self { return records }
        return []
    }

    public var isAccountingDisabled: Bool {
        if case .accountingDisabled = self { return true }
        return false
    }
}
