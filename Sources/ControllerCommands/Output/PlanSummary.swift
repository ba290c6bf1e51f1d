import Farm
import FarmContract

/// What `calfarm plan` (and `submit --dry-run`) prints: the DAG summary, the effective
/// configuration and the rendered scripts. Its `Codable` form is the `--json` answer.
struct PlanSummary: Encodable {
    struct Group: Encodable {
        var name: String
        var step: String
        var units: Int
        /// `afterok:gather.r0819` (whole group) or `afterok:preprocess[1 of 3]` (some members).
        var after: [String]
    }

    struct Script: Encodable {
        var group: String
        var script: String
    }

    var measurement: String
    var facility: String
    var runType: String
    var runs: [Int]
    /// XFEL channels; empty at CFEL.
    var channels: [Int]
    /// The CFEL module, its temperature and memory cells; nil at XFEL.
    var module: String?
    var temperature: String?
    var cells: Int?
    var asics: [Int]
    /// XFEL: the AGIPD source prefix and whether analog and digital are separate frames
    /// (configured, or found in the raw files); nil when no raw file was read.
    var detector: String?
    var interleaved: Bool?
    var unitsPerStep: [String: Int]
    var stepOrder: [String]
    var arrayGroups: [Group]
    var sbatchCalls: Int
    /// `slurm` or `local` (which submits nothing).
    var executor = "slurm"
    /// What the original tool would submit (agipd-reference §4.13), when its formula applies.
    var originalSbatchCalls: Int?
    var originalFormula: String?
    var warnings: [String]
    var channelsWithoutData: [Int]
    var configuration: String
    var scripts: [Script]

    init(_ preview: PlanPreview) {
        let graph = preview.graph, request = graph.request
        measurement = request.measurement.rawValue
        facility = request.facility.rawValue
        runType = request.runType.rawValue
        runs = request.runs
        let cfel = request.facility == .cfel
        channels = cfel ? [] : request.channels
        (module, temperature, cells) = cfel ? (request.module, request.temperature, request.cfelCells) : (nil, nil, nil)
        asics = request.asics
        let general = request.configuration.general
        detector = general.detectorString
        interleaved = general.interleaved
        let counts = graph.countsByStep
        stepOrder = Step.allCases.filter { counts[$0] != nil }.map(\.rawValue)
        unitsPerStep = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
        let groups = graph.arrayGroups()
        let sizes = Dictionary(groups.map { ($0.name, $0.units.count) }, uniquingKeysWith: { $1 })
        arrayGroups = groups.map { group in
            Group(name: group.name, step: group.step.rawValue, units: group.units.count,
                  after: group.dependencies.map { dependency in
                      let kind = dependency.kind == .success ? "afterok" : "afterany"
                      let part = dependency.units.map { "[\($0.count) of \(sizes[dependency.group] ?? 0)]" } ?? ""
                      return "\(kind):\(dependency.group)\(part)"
                  })
        }
        sbatchCalls = preview.sbatchCalls
        executor = preview.executor.rawValue
        let processChannels = Set(graph.units(of: .process).map { $0.channel ?? -1 }).count
        let original = Self.originalCount(request, channels: processChannels,
                                          processChunks: (counts[.process] ?? 0) / max(1, processChannels))
        originalSbatchCalls = original?.count
        originalFormula = original?.formula
        warnings = graph.warnings.map(\.description)
        channelsWithoutData = graph.channelsWithoutData
        configuration = preview.configurationYAML
        scripts = preview.scripts.map { Script(group: $0.group, script: $0.script) }
    }

    /// The original's sbatch count for a whole XFEL request: `1 + C·(R·g + p) + 1` (dark) or
    /// `1 + C·(g + p) + 1` (drspc, xray), with its default g = 2 gather chunks and the same
    /// p process chunks, for the C channels planned (not those requested without data). nil
    /// where the original has no formula (single steps, CFEL, drscs).
    static func originalCount(_ request: PlanRequest, channels c: Int, processChunks p: Int) -> (count: Int, formula: String)? {
        guard request.runType == .all, request.facility == .xfel else { return nil }
        let r = request.runs.count, g = 2
        let description = MeasurementCatalog.description(of: request.measurement)
        guard !description.hasMerge else { return nil }
        if description.originalGathersPerRun {
            return (2 + c * (r * g + p), "1 + C·(R·g + p) + 1 with C = \(c), R = \(r), g = \(g), p = \(p)")
        }
        return (2 + c * (g + p), "1 + C·(g + p) + 1 with C = \(c), g = \(g), p = \(p)")
    }

    /// The human form: summary, configuration, scripts.
    func render() -> String {
        var lines = [
            "plan: \(measurement) (\(facility)), run type \(runType), runs \(runs.map(String.init).joined(separator: ",")), "
                + (module.map { "module \($0) at \(temperature ?? "?"), \(cells ?? 0) cells" } ?? "channels \(IndexList.format(channels))")
                + ", ASICs \(IndexList.format(asics))",
        ]
        if let detector {
            lines.append("detector \(detector)" + (interleaved == true ? "; analog and digital as separate frames (interleaved)" : ""))
        }
        lines.append("")
        var units = TextTable(header: ["step", "job units"], rightAligned: [1])
        for step in stepOrder { units.append([step, "\(unitsPerStep[step] ?? 0)"]) }
        units.append(["all", "\(unitsPerStep.values.reduce(0, +))"])
        lines.append(units.render())
        lines.append("")
        var groups = TextTable(header: ["array group", "step", "units", "after"], rightAligned: [2])
        for group in arrayGroups {
            groups.append([group.name, group.step, "\(group.units)", group.after.isEmpty ? "-" : group.after.joined(separator: " ")])
        }
        lines.append(groups.render())
        lines.append("")
        var calls = executor == "local"
            ? "sbatch calls: none (--executor local runs the units here; with SLURM: \(sbatchCalls))"
            : "sbatch calls: \(sbatchCalls)"
        if let originalSbatchCalls, let originalFormula {
            calls += " (the original would make \(originalSbatchCalls): \(originalFormula))"
        }
        lines.append(calls)
        lines += warnings.map { "warning: \($0)" }
        lines += ["", "--- effective configuration ---", configuration.trimmingTrailingNewlines]
        for script in scripts {
            lines += ["", "--- script for array group \(script.group) ---", script.script.trimmingTrailingNewlines]
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
