// API SKELETON — agreed between the simulator and its users (tests, README main job,
// `calfarm simulate`). The simulator helper fills in the body and may add options.
import AGIPD

/// Writes European XFEL raw dark runs (one run per gain stage, high/medium/low) with known
/// per-pixel, per-cell offset, noise and gain level, plus a truth file.
public struct XFELDarkSimulation: Sendable {
    public struct Options: Sendable {
        /// Run numbers, one per gain stage (high, medium, low).
        public var runs: [Int] = [1, 2, 3]
        public var channels: [Int] = [0]
        /// Trains per run (before losses), spread evenly over `sequences` files.
        public var trains: Int = 10
        public var cells: Int = 4
        public var sequences: Int = 1
        public var seed: UInt64 = 1
        public var layout: XFELLayoutVersion = .y2018
        public var detectorString: String = "MID_DET_AGIPD1M-1"
        public var firstTrainId: UInt64 = 10_000
        /// Train indices (0-based within the run) that are lost in every channel.
        public var lostTrains: [Int] = []
        /// Train indices whose trainId is replaced by a single bogus id (the outlier rule).
        public var outlierTrains: [Int] = []
        /// Channels for which no files are written.
        public var missingChannels: [Int] = []
        /// Channel → number of leading trains it misses (starts late).
        public var lateChannels: [Int: Int] = [:]
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    /// Writes `<inputDir>/raw/rNNNN/RAW-…h5` for every run, channel and sequence, and
    /// `<inputDir>/truth.h5`. Returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String { fatalError("skeleton") }
}
