import FarmContract
import Foundation

/// Which product files a request writes, described by what names them (decision in
/// docs/guide.md, "Products belong to a request"): preprocess results per run; gathered files per
/// run and channel; process (and merge) products per tuple of runs and channel; the joined file
/// per tuple of runs; all under one output tree (XFEL: the measurement's; CFEL: the module's at
/// one temperature). Two requests whose footprints meet would replace each other's files.
struct ProductFootprint: Equatable {
    var facility: Facility
    var measurement: FarmContract.Measurement
    var outputDir: String
    /// CFEL module and temperature (nil at XFEL).
    var module: String?
    var temperature: String?
    var runs: [Int]
    var channels: Set<Int>
    var steps: Set<Step>

    init(_ request: PlanRequest, steps: [Step]) {
        facility = request.facility
        measurement = request.measurement
        outputDir = (request.outputDir as NSString).standardizingPath
        (module, temperature) = request.facility == .cfel ? (request.module, request.temperature) : (nil, nil)
        runs = request.runs
        channels = request.facility == .cfel ? [] : Set(request.channels)
        self.steps = Set(steps)
    }

    /// What both write, in words ("the joined constants of runs 1, 2, 3"), or nil when nothing.
    func shared(with other: ProductFootprint) -> String? {
        guard facility == other.facility, measurement == other.measurement, outputDir == other.outputDir,
              module == other.module, temperature == other.temperature else { return nil }
        let runs = Set(self.runs).intersection(other.runs).sorted()
        let channels = facility == .cfel || !self.channels.isDisjoint(with: other.channels)
        let sameTuple = self.runs == other.runs
        let both = steps.intersection(other.steps)
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
        if both.contains(.join), sameTuple { return "the joined constants of runs \(list(self.runs))" }
        if (both.contains(.process) || both.contains(.merge)), sameTuple, channels {
            return "the process products of runs \(list(self.runs))"
        }
        if both.contains(.gather), !runs.isEmpty, channels { return "the gathered files of runs \(list(runs))" }
        if both.contains(.preprocess), !runs.isEmpty { return "the preprocess results of runs \(list(runs))" }
        return nil
    }
}

extension Farm {
    /// The stored requests, not superseded, whose products `request` would replace, with what
    /// both write.
    func requestsSharingProducts(with request: PlanRequest, steps: [Step]) throws -> [(record: RequestRecord, what: String)] {
        let mine = ProductFootprint(request, steps: steps)
        var found: [(RequestRecord, String)] = []
        for record in try store.requests(limit: Int(Int32.max)) where record.supersededBy == nil {
            // Cheap filter before the stored configuration is parsed; `shared` decides.
            guard record.measurement == request.measurement, record.facility == request.facility,
                  (record.outputDir as NSString).standardizingPath == mine.outputDir else { continue }
            let configuration = try storedConfiguration(record)
            let other = PlanRequest(facility: record.facility, measurement: record.measurement, inputDir: record.inputDir,
                                    outputDir: record.outputDir, runType: RunType(rawValue: record.runType) ?? .all,
                                    runs: record.runs, channels: record.channels, asics: record.asics,
                                    configuration: configuration)
            if let what = mine.shared(with: ProductFootprint(other, steps: (try? other.plannedSteps()) ?? [])) {
                found.append((record, what))
            }
        }
        return found
    }
}
