/// Everything a worker needs to execute one job unit. The controller writes it as JSON at
/// submission time; `calfarm-worker run SPEC` reads it. Workers never read the database.
public struct JobSpec: Codable, Sendable, Equatable {
    /// Bumped whenever a field changes meaning; the worker refuses unknown versions.
    public static let currentFormatVersion = 1

    /// `parameters` key of XFEL preprocess: "true" when analog and digital are separate frames
    /// (detected at plan time, or `general.interleaved`).
    public static let interleavedParameter = "interleaved"

    /// `parameters` key of process units: the gathered files to read (``GatheredInputs``).
    public static let gatheredInputsParameter = "gathered_sequences"

    /// `parameters` key of XFEL join units: which joined file the unit writes (``JoinedFile``;
    /// absent: both, as one unit).
    public static let joinedFileParameter = "joined_file"

    /// The XFEL joined file a join unit writes: the AGIPD- or the XFEL-orientation copy.
    public enum JoinedFile: String, Sendable, CaseIterable { case agipd, xfel }

    public var formatVersion: Int
    /// The request this job unit belongs to.
    public var request: String
    /// The job unit's stable id within the request, e.g. `gather.r0819.ch03.s00001`.
    public var job: String
    public var step: Step
    public var measurement: Measurement
    public var facility: Facility
    /// Raw data root (contains `raw/rNNNN/…`).
    public var inputDir: String
    /// Product root (contains `<measurement>/rNNNN/…`).
    public var outputDir: String
    /// Runs this unit reads. Dark: high, medium, low gain order.
    public var runs: [Int]
    /// Channels (module slots 0…15) this unit covers.
    public var channels: [Int]
    /// Sequence file number, for gather.
    public var sequence: Int?
    /// ASICs (1…16) this unit covers, for process and join.
    public var asics: [Int]
    /// XFEL source prefix, e.g. `MID_DET_AGIPD1M-1` (found in the files at plan time unless
    /// configured); empty = preprocess finds it itself.
    public var detectorString: String
    /// Where the worker writes its `JobResult` (atomically).
    public var resultPath: String
    /// Measurement parameters from the effective configuration (string-typed, documented per step).
    public var parameters: [String: String]
    /// The request's effective configuration as YAML, copied into products as provenance.
    public var configuration: String

    public init(request: String, job: String, step: Step, measurement: Measurement, facility: Facility,
                inputDir: String, outputDir: String, runs: [Int], channels: [Int], sequence: Int? = nil,
                asics: [Int] = [], detectorString: String, resultPath: String,
                parameters: [String: String] = [:], configuration: String = "") {
        self.formatVersion = Self.currentFormatVersion
        self.request = request
        self.job = job
        self.step = step
        self.measurement = measurement
        self.facility = facility
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.runs = runs
        self.channels = channels
        self.sequence = sequence
        self.asics = asics
        self.detectorString = detectorString
        self.resultPath = resultPath
        self.parameters = parameters
        self.configuration = configuration
    }
}
