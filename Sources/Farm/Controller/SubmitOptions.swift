import FarmContract

/// Where a request's job units run.
public enum ExecutorKind: String, Sendable, CaseIterable, Codable {
    /// SLURM job arrays (`sbatch`), reconciled with `squeue`/`sacct`.
    case slurm
    /// Worker processes on this machine, run by the controller until the request ends.
    case local
}

/// What the user asked for on `calfarm submit` / `calfarm plan`.
public struct SubmitOptions: Sendable {
    public var facility: Facility
    public var measurement: FarmContract.Measurement
    public var inputDir: String
    public var outputDir: String
    /// nil: from the configuration (`general.runs`).
    public var runs: [Int]?
    public var runType: RunType
    public var channels: [Int]?
    public var asics: [Int]?
    public var module: String?
    public var temperature: String?
    /// `--config FILE` (above the site and user files).
    public var configFile: String?
    /// `--set section.key=value`, in order.
    public var overrides: [String]
    public var executor: ExecutorKind
    /// Replace the products of earlier requests into the same output tree, marking them superseded.
    public var overwrite = false

    public init(facility: Facility = .xfel, measurement: FarmContract.Measurement, inputDir: String,
                outputDir: String, runs: [Int]? = nil, runType: RunType = .all, channels: [Int]? = nil,
                asics: [Int]? = nil, module: String? = nil, temperature: String? = nil,
                configFile: String? = nil, overrides: [String] = [], executor: ExecutorKind = .slurm) {
        self.facility = facility
        self.measurement = measurement
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.runs = runs
        self.runType = runType
        self.channels = channels
        self.asics = asics
        self.module = module
        self.temperature = temperature
        self.configFile = configFile
        self.overrides = overrides
        self.executor = executor
    }
}
