import FarmContract

/// Makes the worker's ``FarmContract/JobSpec`` for a planned unit.
///
/// `parameters` carries the measurement section of the configuration (lists comma-joined), plus
/// `module`, `temperature` and `cells` (CFEL), and `current` (drscs gather and process units); for XFEL preprocess `interleaved` ("true"/"false",
/// from `general.interleaved`, which the plan-time inspection fills in when it was `auto`); for
/// process units `gathered_sequences`, the gathered files they read (``GatheredInputs``): those
/// the graph's gather units write (so a stored graph gives the same), formatted once per channel
/// (up to 16 chunks share it).
public struct JobSpecFactory: Sendable {
    public let graph: JobGraph
    public let requestID: String
    public let configurationYAML: String
    private let baseParameters: [String: String]
    /// The graph has `join.xfel` beside `join` (each writes one of the two XFEL files).
    private let splitsJoin: Bool
    /// Channels that received units (preprocess covers them all).
    private let plannedChannels: [Int]
    /// `configuration.general` assembles every general setting from the configuration's
    /// dictionary on each call, too slow to ask once per spec.
    private let detectorString: String
    private let interleaved: Bool
    /// Channel (nil: the CFEL module) → the `gathered_sequences` text of its process units.
    private let inputsOfChannel: [Int?: String]
    /// drscs: run → its current (the CFEL spec of its gather and process units).
    private let currentOfRun: [Int: String]
    /// drscs: a current's first run → the `gathered_sequences` text of its four runs.
    private let inputsOfCurrent: [Int: String]

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
            parameters[JobSpec.moduleParameter] = request.module ?? ""
            parameters[JobSpec.temperatureParameter] = request.temperature ?? ""
            parameters[JobSpec.cellsParameter] = String(request.cfelCells)
        }
        baseParameters = parameters
        splitsJoin = graph.index(of: JobUnitID.joinXFEL) != nil
        let missing = Set(graph.channelsWithoutData)
        plannedChannels = request.facility == .xfel ? request.channels.sorted().filter { !missing.contains($0) } : []
        let general = request.configuration.general
        detectorString = general.detectorString ?? ""
        interleaved = general.interleaved ?? false
        var written: [Int?: [Int: [Int]]] = [:]
        for unit in graph.units where unit.step == .gather {
            guard let run = unit.runs.first, let sequence = unit.sequence else { continue }
            written[unit.channel, default: [:]][run, default: []].append(sequence)
        }
        var inputs: [Int?: String] = [:]
        for (channel, parts) in written { inputs[channel] = Self.inputsText(runs: request.runs, parts: parts) }
        inputsOfChannel = inputs
        var currents: [Int: String] = [:]
        if request.measurement == .drscs {
            for (index, current) in request.configuration.drscsCurrents.enumerated() {
                for run in DrscsCurrent.runs(ofCurrent: index, in: request.runs) { currents[run] = current }
            }
        }
        currentOfRun = currents
        var ofCurrent: [Int: String] = [:]
        if request.measurement == .drscs, let parts = written[nil] {
            for index in request.configuration.drscsCurrents.indices {
                let runs = DrscsCurrent.runs(ofCurrent: index, in: request.runs)
                if let first = runs.first { ofCurrent[first] = Self.inputsText(runs: runs, parts: parts) }
            }
        }
        inputsOfCurrent = ofCurrent
    }

    /// The `gathered_sequences` text of `runs` from the parts the gather units write, nil when a
    /// run has none (a process-only request: the worker lists the directory).
    private static func inputsText(runs: [Int], parts: [Int: [Int]]) -> String? {
        guard runs.allSatisfy({ parts[$0] != nil }) else { return nil }
        return GatheredInputs(sequences: runs.map { (run: $0, sequences: parts[$0]!.sorted()) }).text
    }

    /// The spec for `unit`, whose worker writes its result to `resultPath`.
    public func makeSpec(for unit: JobUnit, resultPath: String) -> JobSpec {
        let request = graph.request
        var parameters = baseParameters
        var channels: [Int] = unit.channel.map { [$0] } ?? []
        switch unit.step {
        case .preprocess:
            channels = plannedChannels
            parameters[JobSpec.interleavedParameter] = interleaved ? "true" : "false"
        case .join:
            // Join covers every requested channel and reports those without results as missing.
            channels = request.facility == .xfel ? request.channels.sorted() : []
            // Two join units (planned since issue 15): each writes one file. A request stored
            // with a single join (before) keeps one unit writing both, also when resumed.
            if splitsJoin {
                parameters[JobSpec.joinedFileParameter] = (unit.id == JobUnitID.joinXFEL ? JobSpec.JoinedFile.xfel : .agipd).rawValue
            }
        case .process:
            if request.measurement == .drscs {
                if let first = unit.runs.first, let inputs = inputsOfCurrent[first] {
                    parameters[JobSpec.gatheredInputsParameter] = inputs
                }
            } else if let inputs = inputsOfChannel[unit.channel] {
                parameters[JobSpec.gatheredInputsParameter] = inputs
            }
        case .gather, .merge:
            break
        }
        // A drscs gather or process unit reads one current's runs: its directory and products.
        if unit.step == .gather || unit.step == .process, let run = unit.runs.first, let current = currentOfRun[run] {
            parameters[DrscsCurrent.parameter] = current
        }
        return JobSpec(request: requestID, job: unit.id, step: unit.step, measurement: request.measurement,
                       facility: request.facility, inputDir: request.inputDir, outputDir: request.outputDir,
                       runs: unit.runs, channels: channels, sequence: unit.sequence, asics: unit.asics,
                       detectorString: detectorString, resultPath: resultPath,
                       parameters: parameters, configuration: configurationYAML)
    }
}
