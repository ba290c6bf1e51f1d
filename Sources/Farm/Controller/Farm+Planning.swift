import FarmContract
import Foundation

extension Farm {
    /// The effective configuration for a submission: defaults < site < user < --config < --set.
    func configuration(for options: SubmitOptions) throws -> Configuration {
        let layers = ConfigurationLayers.standard(environment: environment,
                                                  configFiles: options.configFile.map { [$0] } ?? [],
                                                  overrides: options.overrides)
        // What the command line says about the request goes into the configuration too, so the
        // stored and printed configuration is the effective one.
        var fromCommandLine: [String] = []
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
        if let runs = options.runs { fromCommandLine.append("general.runs=\(list(runs))") }
        if let channels = options.channels { fromCommandLine.append("general.channels=\(list(channels))") }
        if let asics = options.asics { fromCommandLine.append("general.asics=\(list(asics))") }
        if let module = options.module { fromCommandLine.append("general.module=\(module)") }
        if let temperature = options.temperature { fromCommandLine.append("general.temperature=\(temperature)") }
        return try Configuration.load(layers).applying(overrides: fromCommandLine)
    }

    func planRequest(_ options: SubmitOptions, configuration: Configuration) -> PlanRequest {
        PlanRequest(facility: options.facility, measurement: options.measurement,
                    inputDir: Self.absolute(options.inputDir), outputDir: Self.absolute(options.outputDir),
                    runType: options.runType, runs: options.runs, channels: options.channels,
                    asics: options.asics, module: options.module, temperature: options.temperature,
                    configuration: configuration)
    }

    /// Rebuilds a stored request's graph from the database (units, edges, time limits) and its
    /// stored configuration, so resume never depends on the raw directory still looking the same.
    func storedGraph(_ record: RequestRecord) throws -> (JobGraph, Configuration) {
        let configuration = try storedConfiguration(record)
        let request = PlanRequest(facility: record.facility, measurement: record.measurement,
                                  inputDir: record.inputDir, outputDir: record.outputDir,
                                  runType: RunType(rawValue: record.runType) ?? .all, runs: record.runs,
                                  channels: record.channels, asics: record.asics, configuration: configuration)
        var edges: [String: [JobDependency]] = [:]
        for edge in try store.dependencies(request: record.id) {
            edges[edge.job, default: []].append(JobDependency(
                unit: edge.dependsOn, kind: edge.kind == .completion ? .completion : .success))
        }
        // Edges only run from an earlier step to a later one, so step order is a topological order.
        let records = try store.jobs(request: record.id).enumerated()
            .sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
        let units = records.map { job -> JobUnit in
            var resources = configuration.resources(for: job.step)
            if let limit = job.timeLimit { resources.timeLimit = limit }
            return JobUnit(id: job.id, step: job.step, runs: job.runs, channel: job.channel, sequence: job.sequence,
                           asics: job.asics, arrayGroup: job.arrayGroup ?? job.step.rawValue, resources: resources,
                           dependencies: edges[job.id] ?? [])
        }
        return (try JobGraph(request: request, units: units), configuration)
    }

    /// The joined constants of a stored request: the AGIPD-orientation file at XFEL, the module
    /// file at CFEL.
    public func joinedProduct(of record: RequestRecord) throws -> String {
        let configuration = try storedConfiguration(record)
        let request = PlanRequest(facility: record.facility, measurement: record.measurement, inputDir: record.inputDir,
                                  outputDir: record.outputDir, runs: record.runs, configuration: configuration)
        return request.paths.joinedModule(runs: record.runs) ?? request.paths.joinedAGIPD(runs: record.runs)
    }

    /// The effective configuration stored with a request.
    func storedConfiguration(_ record: RequestRecord) throws -> Configuration {
        try Configuration.defaults.applying(
            yaml: record.configuration, source: .file(path: "stored configuration of request \(record.id)"))
    }

    func requestRecord(_ id: String?) throws -> RequestRecord {
        if let id {
            guard let record = try store.request(id) else { throw FarmError.unknownRequest(id) }
            return record
        }
        guard let latest = try store.latestRequest() else {
            throw FarmError.invalidState("the state database \(store.path) holds no request yet")
        }
        return latest
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
