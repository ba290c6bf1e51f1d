import FarmContract

/// Why a request cannot be planned. Raised before anything is written or submitted; each case
/// names the path, run or channel at fault.
public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingInputDirectory(path: String)
    /// A path that must be a directory is a file.
    case notADirectory(path: String)
    case missingRunDirectory(run: Int, path: String)
    /// A CFEL raw directory (`<input>/<temperature>`) is missing.
    case missingDirectory(path: String, what: String)
    case unreadableDirectory(path: String, reason: String)
    case outputNotWritable(path: String, reason: String)
    /// A channel has raw files in some runs but none in `run` (every run is needed, e.g. all three gain stages).
    case channelMissingInRun(channel: Int, run: Int, path: String)
    /// No requested channel has a raw file in any run.
    case noRawData(inputDir: String, runs: [Int])
    /// The step does not exist for this facility or measurement (CFEL preprocess/join, merge outside drscs).
    case stepNotApplicable(step: Step, reason: String)
    /// The measurement is not taken at the facility (XFEL drscs).
    case measurementNotAtFacility(measurement: FarmContract.Measurement, facility: Facility, reason: String)
    /// Building a graph from units: a dependency on a unit that is not earlier in the list.
    case unknownDependency(unit: String, dependency: String)
    case duplicateUnit(id: String)
    /// The worker or the raw files cannot serve the request (found by `calfarm-worker inspect`).
    case unusableInput(String)
    /// Another request already owns products this one would replace (`--overwrite` supersedes it).
    case productsOfAnotherRequest(request: String, state: String, what: String, outputDir: String)
    /// Several problems, all found before anything was stored or submitted.
    case refused([PlanError])

    /// Every problem as a sentence (one for all cases but ``refused(_:)``), for `--json`.
    public var problems: [String] {
        if case .refused(let all) = self { return all.flatMap(\.problems) }
        return [description]
    }

    public var description: String {
        switch self {
        case .missingInputDirectory(let path):
            return "input directory does not exist: \(path)"
        case .notADirectory(let path):
            return "not a directory: \(path)"
        case .missingRunDirectory(let run, let path):
            return "run \(run): raw directory does not exist: \(path)"
        case .missingDirectory(let path, let what):
            return "\(what) does not exist: \(path)"
        case .unreadableDirectory(let path, let reason):
            return "cannot list \(path): \(reason)"
        case .outputNotWritable(let path, let reason):
            return "output directory is not writable: \(path) (\(reason))"
        case .channelMissingInRun(let channel, let run, let path):
            return "channel \(channel) has raw files in other runs but none in run \(run) (\(path)); "
                + "every run is needed — drop the channel with --channels or fix the data"
        case .noRawData(let inputDir, let runs):
            return "no raw files RAW-R…-AGIPD…-S…h5 of the requested channels for runs "
                + runs.map(String.init).joined(separator: ", ") + " under \(inputDir)/raw"
        case .stepNotApplicable(let step, let reason):
            return "cannot plan \(step.rawValue): \(reason)"
        case .measurementNotAtFacility(let measurement, let facility, let reason):
            return "\(measurement.rawValue) cannot be planned at \(facility.rawValue): \(reason)"
        case .unknownDependency(let unit, let dependency):
            return "job unit \(unit) depends on \(dependency), which is not an earlier unit of the graph"
        case .duplicateUnit(let id):
            return "job unit id \(id) appears twice"
        case .unusableInput(let problem):
            return problem
        case .productsOfAnotherRequest(let request, let state, let what, let outputDir):
            return "request \(request) (\(state)) owns \(what) in \(outputDir); this request would replace them: "
                + "finish that one with `calfarm resume \(request)`, choose another --output-dir, or give --overwrite "
                + "to supersede it"
        case .refused(let all):
            return "\(all.count) problems; nothing was stored or submitted:\n"
                + all.flatMap(\.problems).map { "  - " + $0 }.joined(separator: "\n")
        }
    }
}

/// Something the plan leaves out on purpose; shown by `plan` and `submit`.
public enum PlanWarning: Sendable, Equatable, CustomStringConvertible {
    /// The channel has no raw file in any run: it gets no gather/process units and join reports it missing.
    case channelWithoutData(channel: Int)

    public var description: String {
        switch self {
        case .channelWithoutData(let channel):
            return "channel \(channel) has no raw files in any run; it is not planned and join will report it missing"
        }
    }
}
