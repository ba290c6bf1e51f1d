import FarmContract

/// What the plan-time inspection found in the raw files, written into the request's effective
/// configuration so every job unit, resume and the stored request agree on it.
public struct RawFacts: Sendable, Equatable {
    /// The AGIPD source prefix (configured, or the only one the files name).
    public var detectorString: String?
    /// Analog and digital as separate frames (configured, or detected from the layout).
    public var interleaved: Bool?

    /// `--set`-style overrides for the facts that were not configured.
    func overrides(for configuration: Configuration) -> [String] {
        let general = configuration.general
        var out: [String] = []
        if general.detectorString == nil, let detectorString { out.append("general.detector_string=\(detectorString)") }
        if general.interleaved == nil, let interleaved { out.append("general.interleaved=\(interleaved)") }
        return out
    }
}

/// Turns an ``FarmContract/InspectionReport`` into the problems that refuse a request and the
/// facts that complete it. Every problem names the file, run, channel or key, and says what to do.
enum RawPreflight {
    /// Version and capabilities of the worker, for the steps the request plans.
    static func workerProblems(_ report: InspectionReport, request: PlanRequest, steps: [Step],
                               workerPath: String) -> [String] {
        guard report.workerVersion == CalFarmVersion.current, report.specFormatVersion == JobSpec.currentFormatVersion else {
            return ["worker \(workerPath) is CalFarm \(report.workerVersion) (job spec format \(report.specFormatVersion)), "
                + "this calfarm is \(CalFarmVersion.current) (format \(JobSpec.currentFormatVersion)); install both from one build"]
        }
        let offered = Set(report.capabilities)
        let missing = steps.filter {
            !offered.contains(.init(facility: request.facility, measurement: request.measurement, step: $0))
        }
        guard !missing.isEmpty else { return [] }
        let runnable = Dictionary(grouping: report.capabilities) { "\($0.facility.rawValue) \($0.measurement.rawValue)" }
            .keys.sorted().joined(separator: ", ")
        return ["\(request.facility.rawValue) \(request.measurement.rawValue) cannot be calibrated by this CalFarm yet: "
            + "its worker has no \(missing.map(\.rawValue).joined(separator: ", ")) for it (it runs: \(runnable))"]
    }

    /// Problems with the raw files, and the facts found in them.
    static func fileProblems(_ report: InspectionReport, request: PlanRequest) -> ([String], RawFacts) {
        let general = request.configuration.general
        var problems: [String] = []
        var facts = RawFacts(detectorString: general.detectorString, interleaved: general.interleaved)
        let readable = report.files.filter { $0.problem == nil }

        // Files that cannot be used, grouped by what is wrong.
        var byReason: [(reason: String, files: [InspectionReport.File])] = []
        for file in report.files {
            guard let reason = file.problem else { continue }
            if let i = byReason.firstIndex(where: { $0.reason == reason }) { byReason[i].files.append(file) } else {
                byReason.append((reason, [file]))
            }
        }
        for (reason, files) in byReason {
            let more = files.count > 1 ? " (and \(files.count - 1) more file(s))" : ""
            problems.append("\(files[0].path): \(reason)\(more)")
        }
        // CFEL parts name no detector and share one layout; their checks are per file above.
        guard request.facility == .xfel else { return (problems, facts) }

        // The detector.
        if general.detectorString == nil {
            var found: [String: [InspectionReport.File]] = [:]
            for file in readable { for detector in file.detectors { found[detector, default: []].append(file) } }
            if found.count > 1 {
                let listing = found.keys.sorted().map { "\($0) (\(where_(found[$0]!)))" }.joined(separator: "; ")
                problems.append("the raw files hold several AGIPD detectors: \(listing); "
                    + "choose one with --detector NAME (general.detector_string)")
            } else if let only = found.keys.first {
                facts.detectorString = only
                for file in readable where !file.detectors.contains(only) {
                    problems.append("\(file.path): no \(only) source for channel \(file.channel) "
                        + "(sources found: \(sources(file)))")
                }
            } else if let file = readable.first {
                problems.append("no AGIPD detector source in the raw files, e.g. \(file.path) (sources found: \(sources(file)))")
            }
        }

        // One layout across all runs.
        var layouts: [Int: Set<String>] = [:]
        var cells: [Int: Int] = [:]
        for file in readable {
            guard let index = file.indexLayout, let interleaved = file.interleaved else { continue }
            layouts[file.run, default: []].insert(index + (interleaved ? " (analog and digital as separate frames)" : ""))
            if let count = file.cells { cells[file.run] = max(cells[file.run] ?? 0, count) }
        }
        let allLayouts = layouts.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        if allLayouts.count > 1 {
            let listing = request.runs.compactMap { run in layouts[run].map { "run \(run): \($0.sorted().joined(separator: " and "))" } }
            problems.append("the runs mix raw layouts (\(listing.joined(separator: "; "))); "
                + "a request's runs must share one layout: calibrate them separately")
        } else if facts.interleaved == nil, let only = readable.compactMap(\.interleaved).first {
            facts.interleaved = only
        }
        if Set(cells.values).count > 1 {
            let listing = request.runs.compactMap { run in cells[run].map { "run \(run): \($0)" } }
            problems.append("the runs have different numbers of memory cells (\(listing.joined(separator: ", ")), "
                + "from the first sequence file of each channel); every run of a \(request.measurement.rawValue) "
                + "must use the same cells")
        }
        return (problems, facts)
    }

    /// "runs 11, 12; channels 0, 8" for the files of one detector.
    private static func where_(_ files: [InspectionReport.File]) -> String {
        let runs = Set(files.map(\.run)).sorted().map(String.init).joined(separator: ", ")
        let channels = Set(files.map(\.channel)).sorted().map(String.init).joined(separator: ", ")
        return "runs \(runs); channels \(channels)"
    }

    private static func sources(_ file: InspectionReport.File) -> String {
        let all = file.detectors + file.otherSources
        return all.isEmpty ? "none" : all.joined(separator: ", ")
    }
}
