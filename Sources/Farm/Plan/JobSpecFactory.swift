import FarmContract

/// Makes the worker's ``FarmContract/JobSpec`` for a planned unit.
///
/// `parameters` carries the measurement section of the configuration (lists comma-joined), plus:
/// `module` and `temperature` (CFEL); `sequences` for XFEL process units
/// (`"<run>:<seq>,<seq> <run>:…"`, the gathered files to read); `channels_without_data` for join
/// (comma-separated, possibly empty).
public struct JobSpecFactory: Sendable {
    public let graph: JobGraph
    public let requestID: String
    public let configurationYAML: String
    private let baseParameters: [String: String]
    /// Channels that received units (preprocess covers them all).
    private let plannedChannels: [Int]
    /// The `sequences` parameter of each channel's process units, formatted once per channel
    /// rather than once per ASIC chunk (up to 16 chunks share it; thousands of sequences each).
    private let sequencesOfChannel: [Int: String]
    /// `configuration.general` assembles every general setting from the configuration's
    /// dictionary on each call, too slow to ask once per spec.
    private let detectorString: String

    /// - Parameters:
    ///   - graph: the planned graph (its request supplies directories, measurement and configuration).
    ///   - requestID: the request's id, copied into every spec.
    ///   - configurationYAML: the effective configuration stored with the request; defaults to
    ///     `graph.request.configuration.effectiveYAML`.
    public init(graph: JobGraph, requestID: String, configurationYAML: String? = nil) {
        let request = graph.request
        self.graph = graph
        self.requestID = requestID
        self.configurationYAML = configurationYAML ?? request.configuration.effectiveYAML
        var parameters = request.configuration.parameters(for: request.measurement)
        if request.facility == .cfel {
            parameters["module"] = request.module ?? ""
            parameters["temperature"] = request.temperature ?? ""
        }
        baseParameters = parameters
        let missing = Set(graph.channelsWithoutData)
        plannedChannels = request.facility == .xfel ? request.channels.sorted().filter { !missing.contains($0) } : []
        var sequences: [Int: String] = [:]
        if let inventory = graph.inventory {
            for channel in Set(graph.units.lazy.filter { $0.step == .process }.compactMap(\.channel)) {
                sequences[channel] = request.runs.map { run in
                    "\(run):" + inventory.sequences(run: run, channel: channel).map(String.init).joined(separator: ",")
                }.joined(separator: " ")
            }
        }
        sequencesOfChannel = sequences
        detectorString = request.configuration.general.detectorString
    }

    /// The spec for `unit`, whose worker writes its result to `resultPath`.
    public func makeSpec(for unit: JobUnit, resultPath: String) -> JobSpec {
        let request = graph.request
        var parameters = baseParameters
        var channels: [Int]
        if let channel = unit.channel {
            channels = [channel]
        } else {
            channels = []
        }
        switch unit.step {
        case .preprocess:
            channels = plannedChannels
        case .process:
            if let channel = unit.channel, let sequences = sequencesOfChannel[channel] {
                parameters["sequences"] = sequences
            }
        case .join:
            // Join covers every requested channel and reports those without results as missing.
            channels = request.facility == .xfel ? request.channels.sorted() : []
            parameters["channels_without_data"] = graph.channelsWithoutData.map(String.init).joined(separator: ",")
        case .gather, .merge:
            break
        }
        return JobSpec(request: requestID, job: unit.id, step: unit.step, measurement: request.measurement,
                       facility: request.facility, inputDir: request.inputDir, outputDir: request.outputDir,
                       runs: unit.runs, channels: channels, sequence: unit.sequence, asics: unit.asics,
                       detectorString: detectorString, resultPath: resultPath,
                       parameters: parameters, configuration: configurationYAML)
    }
}
