import FarmContract
import Foundation

/// One row of `request`: what the user asked for, with the effective configuration.
public struct RequestRecord: Sendable, Equatable {
    /// Stable request id (also the prefix of SLURM job names).
    public var id: String
    public var createdAt: Date
    public var facility: Facility
    public var measurement: FarmContract.Measurement
    /// Run numbers, in the order the measurement needs them (stored as a JSON array).
    public var runs: [Int]
    /// Detector channels (modules), stored as a JSON array.
    public var channels: [Int]
    /// ASICs (1-16), stored as a JSON array.
    public var asics: [Int]
    /// `all` or the one step the user asked for.
    public var runType: String
    public var inputDir: String
    public var outputDir: String
    /// `slurm` or `local`.
    public var executor: String
    /// The effective configuration as YAML, exactly as `plan` prints it.
    public var configuration: String
    public var state: RequestState
    /// Where specs, scripts, result files and logs of this request live.
    public var workDir: String
    /// The request whose products replaced this one's (`submit --overwrite`); nil while its
    /// products are its own.
    public var supersededBy: String?

    public init(id: String, createdAt: Date, facility: Facility, measurement: FarmContract.Measurement,
                runs: [Int], channels: [Int], asics: [Int], runType: String, inputDir: String,
                outputDir: String, executor: String, configuration: String,
                state: RequestState = .planned, workDir: String, supersededBy: String? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.facility = facility
        self.measurement = measurement
        self.runs = runs
        self.channels = channels
        self.asics = asics
        self.runType = runType
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.executor = executor
        self.configuration = configuration
        self.state = state
        self.workDir = workDir
        self.supersededBy = supersededBy
    }
}
