/// What the controller asks `calfarm-worker inspect` before it plans a request (JSON on the
/// worker's standard input). The controller never opens HDF5 itself: the worker reads the
/// headers, and the same call proves that the worker the scripts will name starts and speaks
/// the controller's version of the contract.
public struct InspectionRequest: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    /// One raw file to look at.
    public struct File: Codable, Sendable, Equatable {
        public var run: Int
        public var channel: Int
        public var sequence: Int
        public var path: String
        public init(run: Int, channel: Int, sequence: Int, path: String) {
            self.run = run; self.channel = channel; self.sequence = sequence; self.path = path
        }
    }

    public var formatVersion: Int
    public var facility: Facility
    /// The configured XFEL detector prefix (`general.detector_string`); nil = find it in the files.
    public var detectorString: String?
    /// Every raw file of the request. The first sequence of each run and channel gets a full
    /// header read (INDEX, cells, layout); the others are opened and their image dataset checked.
    public var files: [File]
    /// CFEL: memory cells per train, to check each run's frame count against (the files do
    /// not say). CFEL files are listed with channel 0 and their part number as `sequence`.
    public var cells: Int?

    public init(facility: Facility, detectorString: String?, files: [File], cells: Int? = nil) {
        self.formatVersion = Self.currentFormatVersion
        self.facility = facility
        self.detectorString = detectorString
        self.files = files
        self.cells = cells
    }
}

/// What `calfarm-worker inspect` answers (JSON on standard output).
public struct InspectionReport: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    /// A (facility, measurement, step) the worker executes. Preprocess, gather and join do not
    /// depend on the measurement's kernel but are listed per measurement all the same, so the
    /// table says exactly which requests can run.
    public struct Capability: Codable, Sendable, Hashable {
        public var facility: Facility
        public var measurement: Measurement
        public var step: Step
        public init(facility: Facility, measurement: Measurement, step: Step) {
            self.facility = facility; self.measurement = measurement; self.step = step
        }
    }

    /// One inspected raw file.
    public struct File: Codable, Sendable, Equatable {
        public var run: Int
        public var channel: Int
        public var sequence: Int
        public var path: String
        /// Why the file cannot be used (does not open, wrong shape or type, inconsistent
        /// INDEX, source missing); nil when it can.
        public var problem: String?
        /// AGIPD detector prefixes with a source for this file's channel.
        public var detectors: [String]
        /// XTDF sources of other detectors in the file (named in messages).
        public var otherSources: [String]
        /// `METADATA/dataFormatVersion` ("0.5" when absent).
        public var formatVersion: String?
        /// "2017" (`INDEX/…/{first,last,status}`) or "2018" (`INDEX/…/{first,count}`); full reads only.
        public var indexLayout: String?
        /// `image/data` shape.
        public var imageShape: [Int]?
        /// True when analog and digital are separate frames (rank-3 image data; a first frame with
        /// values in plane 0 only; else the 2017 INDEX layout).
        public var interleaved: Bool?
        /// Memory cells of the trains in this file (largest cellId + 1, halved when
        /// interleaved); full reads only, nil for a file without frames.
        public var cells: Int?
        /// Trains with frames; full reads only.
        public var trains: Int?
        /// CFEL: frames in the part.
        public var frames: Int?

        public init(run: Int, channel: Int, sequence: Int, path: String, problem: String? = nil,
                    detectors: [String] = [], otherSources: [String] = [], formatVersion: String? = nil,
                    indexLayout: String? = nil, imageShape: [Int]? = nil, interleaved: Bool? = nil,
                    cells: Int? = nil, trains: Int? = nil, frames: Int? = nil) {
            self.run = run; self.channel = channel; self.sequence = sequence; self.path = path
            self.problem = problem; self.detectors = detectors; self.otherSources = otherSources
            self.formatVersion = formatVersion; self.indexLayout = indexLayout; self.imageShape = imageShape
            self.interleaved = interleaved; self.cells = cells; self.trains = trains; self.frames = frames
        }
    }

    public var formatVersion: Int
    /// `CalFarmVersion.current` of the worker.
    public var workerVersion: String
    /// The `JobSpec` format the worker reads.
    public var specFormatVersion: Int
    public var capabilities: [Capability]
    public var files: [File]

    public init(workerVersion: String, specFormatVersion: Int, capabilities: [Capability], files: [File]) {
        self.formatVersion = Self.currentFormatVersion
        self.workerVersion = workerVersion
        self.specFormatVersion = specFormatVersion
        self.capabilities = capabilities
        self.files = files
    }
}
