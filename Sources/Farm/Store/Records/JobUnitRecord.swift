import FarmContract

/// One row of `jobUnit`: a node of the request's DAG and its current state.
public struct JobUnitRecord: Sendable, Equatable {
    public var request: String
    /// The stable job unit id (unique within the request), e.g. `gather-r0001-c03-s00002`.
    public var id: String
    public var step: Step
    /// Runs the unit reads (stored as a JSON array).
    public var runs: [Int]
    /// Detector channel; nil for units spanning channels (preprocess, join).
    public var channel: Int?
    /// Sequence file number for gather units.
    public var sequence: Int?
    /// ASICs the unit covers (stored as a JSON array).
    public var asics: [Int]
    public var state: JobState
    /// How many attempts have been submitted.
    public var attempts: Int
    public var specPath: String?
    public var resultPath: String?
    public var logPath: String?
    /// The cause of the last failure, shown by `status`.
    public var lastError: String?
    /// The array this unit is submitted in (units of one group share one `sbatch`).
    public var arrayGroup: String?
    /// SLURM time limit as written in the configuration (e.g. `12:00:00`).
    public var timeLimit: String?

    public init(request: String, id: String, step: Step, runs: [Int] = [], channel: Int? = nil,
                sequence: Int? = nil, asics: [Int] = [], state: JobState = .planned, attempts: Int = 0,
                specPath: String? = nil, resultPath: String? = nil, logPath: String? = nil,
                lastError: String? = nil, arrayGroup: String? = nil, timeLimit: String? = nil) {
        self.request = request
        self.id = id
        self.step = step
        self.runs = runs
        self.channel = channel
        self.sequence = sequence
        self.asics = asics
        self.state = state
        self.attempts = attempts
        self.specPath = specPath
        self.resultPath = resultPath
        self.logPath = logPath
        self.lastError = lastError
        self.arrayGroup = arrayGroup
        self.timeLimit = timeLimit
    }
}
