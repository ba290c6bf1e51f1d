import FarmContract
import Foundation

/// Expands a ``PlanRequest`` into a ``JobGraph``.
///
/// XFEL: one preprocess per run; one gather per (run, channel, sequence file); one process per
/// (channel, ASIC chunk); one join. CFEL (one module, frames numbered across the run, no
/// preprocess): gather per (run, part), process per ASIC chunk, one join writing the module
/// file; drscs (CFEL only): process per (current, ASIC chunk), one merge per ASIC chunk after
/// every current's unit of that chunk has ended (`afterany`: a failed current leaves the merge
/// to the others), join after the merges.
///
/// Dependencies are what the data needs and nothing more: gather(run, ch, seq) ← preprocess(run);
/// process(ch, chunk) ← every gather of that channel (all runs and sequences), so channel 3 never
/// waits for channel 4; merge(ch, a) ← the process chunk holding `a`; join ← every process (or
/// merge) unit with kind `.completion`, so join runs even after failures and reports what is
/// missing. A single-step request plans that step alone, without dependencies.
///
/// Channels: a requested channel with no raw file in any run is a warning (not planned, join
/// reports it missing); a channel with files in some runs but not in all is an error naming the
/// run, because every run is needed (dark: all three gain stages).
public enum Planner {
    /// Validates the request, checks everything that can be checked before submission and
    /// expands. Checked, with every problem collected before any is reported: the input and
    /// run directories, that the output is writable, the channels' files across runs, and,
    /// through `worker` (`calfarm-worker inspect`), that the worker runs, matches this
    /// controller and implements every planned step, and the raw files' headers (detector
    /// source, image shape and type, INDEX, one layout and cell count across runs). The facts
    /// found (detector, interleaving) complete the request's configuration.
    /// - Parameter worker: nil skips the worker and the file headers (tests of the expansion).
    /// - Throws: ``ConfigurationError`` for request values; ``PlanError`` for one problem, or
    ///   ``PlanError/refused(_:)`` listing several.
    public static func plan(_ request: PlanRequest, worker: WorkerProbe? = nil) throws -> JobGraph {
        var request = request
        // A measurement the facility lacks is refused for that reason before its run count.
        _ = try request.plannedSteps()
        var cfel: CFELInventory?
        if request.facility == .cfel, request.runs.isEmpty {
            // The runs come from the files' run names; nothing else can be checked without them.
            try request.validate(runsKnown: false)
            let found = try CFELInventory.scan(request)
            request.runs = found.runs
            request.configuration = try request.configuration.applying(
                overrides: ["general.runs=[\(found.runs.map(String.init).joined(separator: ", "))]"])
            cfel = found
        }
        try request.validate()
        let steps = try request.plannedSteps()
        var problems: [PlanError] = []
        func check<T>(_ body: () throws -> T) throws -> T? {
            do { return try body() } catch let error as PlanError { problems.append(error); return nil }
        }
        let inputExists = try check { try Preflight.checkInputDirectory(request.inputDir) } != nil
        _ = try check { try Preflight.checkWritable(request.outputDir) }
        var inventory: RawInventory?
        switch request.facility {
        case .xfel:
            if inputExists, steps.contains(.preprocess) || steps.contains(.gather) {
                inventory = try check { try RawInventory.scan(inputDir: request.inputDir, runs: request.runs) }
                if let inventory { _ = try check { try plannedChannels(request, inventory: inventory) } }
            }
        case .cfel:
            if inputExists, steps.contains(.gather) {
                if cfel == nil { cfel = try check { try CFELInventory.scan(request) } }
                if let cfel { inventory = RawInventory(sequences: [:], parts: cfel.partNumbers) }
            }
        }
        if let worker {
            let files = inspectedFiles(request, inventory: inventory, cfel: cfel)
            do {
                let report = try worker.inspect(InspectionRequest(
                    facility: request.facility, detectorString: request.configuration.general.detectorString, files: files,
                    cells: request.facility == .cfel ? request.cfelCells : nil))
                var found = RawPreflight.workerProblems(report, request: request, steps: steps, workerPath: worker.path)
                if found.isEmpty, !files.isEmpty {
                    let (fileProblems, facts) = RawPreflight.fileProblems(report, request: request)
                    found += fileProblems
                    request.configuration = try request.configuration.applying(
                        overrides: facts.overrides(for: request.configuration))
                }
                problems += found.map(PlanError.unusableInput)
            } catch let failure as WorkerProbe.Failure {
                problems.append(.unusableInput(failure.description))
            }
        }
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw PlanError.refused(problems) }
        return try expand(request, inventory: inventory)
    }

    /// Every raw file of the planned channels (CFEL: every part, as channel 0), for the inspection.
    private static func inspectedFiles(_ request: PlanRequest, inventory: RawInventory?,
                                       cfel: CFELInventory?) -> [InspectionRequest.File] {
        if let cfel {
            return request.runs.flatMap { run in
                (cfel.parts[run] ?? []).map { InspectionRequest.File(run: run, channel: 0, sequence: $0.partIndex, path: cfel.path(run: run, $0)) }
            }
        }
        guard let inventory else { return [] }
        let paths = request.paths
        let requested = Set(request.channels)
        var files: [InspectionRequest.File] = []
        for run in request.runs {
            for (channel, sequences) in (inventory.sequences[run] ?? [:]).sorted(by: { $0.key < $1.key })
            where requested.contains(channel) {
                for sequence in sequences {
                    files.append(.init(run: run, channel: channel, sequence: sequence,
                                       path: paths.rawFile(run: run, channel: channel, sequence: sequence)))
                }
            }
        }
        return files
    }

    /// The channels that get units, and the warnings and channels without data; a channel with
    /// files in some runs but not all is an error naming the run.
    static func plannedChannels(_ request: PlanRequest, inventory: RawInventory) throws
        -> (planned: [Int], withoutData: [Int], warnings: [PlanWarning]) {
        var planned: [Int] = [], withoutData: [Int] = [], warnings: [PlanWarning] = []
        for channel in request.channels.sorted() {
            let missing = request.runs.filter { inventory.sequences(run: $0, channel: channel).isEmpty }
            if missing.count == request.runs.count {
                warnings.append(.channelWithoutData(channel: channel))
                withoutData.append(channel)
            } else if let run = missing.first {
                throw PlanError.channelMissingInRun(channel: channel, run: run, path: request.paths.rawRunDir(run: run))
            } else {
                planned.append(channel)
            }
        }
        guard !planned.isEmpty else { throw PlanError.noRawData(inputDir: request.inputDir, runs: request.runs) }
        return (planned, withoutData, warnings)
    }

    /// Expands without touching the filesystem: the raw files are given by `inventory` (needed
    /// for XFEL preprocess/gather). Used by ``plan(_:)`` and by benchmarks.
    /// - Complexity: O(units + distinct dependency arrays); no per-unit I/O.
    public static func expand(_ request: PlanRequest, inventory: RawInventory?) throws -> JobGraph {
        try request.validate()
        let steps = Set(try request.plannedSteps())
        let configuration = request.configuration
        let runs = request.runs
        var builder = GraphBuilder()

        // Which channels get units.
        var channels: [Int?] = [nil]
        var warnings: [PlanWarning] = []
        var withoutData: [Int] = []
        if request.facility == .xfel {
            let requested = request.channels.sorted()
            if steps.contains(.preprocess) || steps.contains(.gather) {
                let found = try plannedChannels(request, inventory: inventory ?? RawInventory(sequences: [:]))
                (withoutData, warnings) = (found.withoutData, found.warnings)
                channels = found.planned
            } else {
                channels = requested
            }
        }

        // preprocess: one per run (XFEL).
        var preprocessDependency: [Int: ([JobDependency], [Int])] = [:]
        if steps.contains(.preprocess) {
            let resources = configuration.resources(for: .preprocess)
            for run in runs {
                let id = JobUnitID.preprocess(run: run)
                let position = builder.add(JobUnit(id: id, step: .preprocess, runs: [run],
                                                   arrayGroup: JobUnitID.group(step: .preprocess),
                                                   resources: resources), dependencyIndices: [])
                preprocessDependency[run] = ([JobDependency(unit: id)], [position])
            }
        }

        // gather: per (run, channel, sequence) on XFEL, per run on CFEL.
        var gatherDependencies: [Int?: ([JobDependency], [Int])] = [:]
        if steps.contains(.gather) {
            let resources = configuration.resources(for: .gather)
            for run in runs {
                let runList = [run]
                let (dependencies, positions) = preprocessDependency[run] ?? ([], [])
                let group = JobUnitID.group(step: .gather, run: request.facility == .xfel ? run : nil)
                for channel in channels {
                    let sequences: [Int?] = channel.map { inventory?.sequences(run: run, channel: $0) ?? [] }
                        ?? (inventory?.parts[run]).map { $0.map(Optional.some) } ?? [nil]
                    // The id prefix is built once per (run, channel); only the sequence is formatted per unit.
                    let prefix = JobUnitID.gather(run: run, channel: channel, sequence: nil)
                    for sequence in sequences {
                        let id = sequence.map { prefix + JobUnitID.sequenceTag($0) } ?? prefix
                        let position = builder.add(JobUnit(id: id, step: .gather, runs: runList, channel: channel,
                                                           sequence: sequence, arrayGroup: group,
                                                           resources: resources, dependencies: dependencies),
                                                   dependencyIndices: positions)
                        gatherDependencies[channel, default: ([], [])].0.append(JobDependency(unit: id))
                        gatherDependencies[channel, default: ([], [])].1.append(position)
                    }
                }
            }
        }

        // process: per (channel, balanced ASIC chunk); every chunk of a channel shares one
        // dependency array (all of that channel's gathers). drscs: per (current, chunk), after
        // the gathers of that current's four runs.
        var processOfChunk: [[Int]: ([JobDependency], [Int])] = [:]
        var finalUnits: ([JobDependency], [Int]) = ([], [])
        // Chunks per channel follow its raw data (process.n_jobs auto); drscs and merge share one split.
        func chunksOf(_ channel: Int?) -> [[Int]] {
            ASICChunks.balanced(request.asics, chunkCount: configuration.processChunks(rawBytes: inventory?.rawBytes(channel: channel)))
        }
        let chunks = chunksOf(nil)
        if steps.contains(.process) {
            let resources = configuration.resources(for: .process)
            var targets: [(channel: Int?, current: String?, runs: [Int])] = channels.map { ($0, nil, runs) }
            if request.measurement == .drscs {
                targets = configuration.drscsCurrents.enumerated().map { (nil, $1, DrscsCurrent.runs(ofCurrent: $0, in: runs)) }
            }
            for target in targets {
                var (dependencies, positions) = gatherDependencies[target.channel] ?? ([], [])
                if target.current != nil {
                    let mine = Set(target.runs)
                    let kept = dependencies.indices.filter { index in
                        builder.units[positions[index]].runs.allSatisfy(mine.contains)
                    }
                    (dependencies, positions) = (kept.map { dependencies[$0] }, kept.map { positions[$0] })
                }
                let group = target.current.map { "process.\($0)" } ?? JobUnitID.group(step: .process, channel: target.channel)
                for chunk in target.current == nil ? chunksOf(target.channel) : chunks {
                    let id = target.current.map { "process.\($0).\(JobUnitID.asicTag(chunk))" }
                        ?? JobUnitID.process(channel: target.channel, asics: chunk)
                    let position = builder.add(JobUnit(id: id, step: .process, runs: target.runs, channel: target.channel,
                                                       asics: chunk, arrayGroup: group, resources: resources,
                                                       dependencies: dependencies), dependencyIndices: positions)
                    // Merge runs after every current's unit of its chunk has ended, whatever the outcome.
                    processOfChunk[chunk, default: ([], [])].0.append(JobDependency(unit: id, kind: .completion))
                    processOfChunk[chunk, default: ([], [])].1.append(position)
                    finalUnits.0.append(JobDependency(unit: id, kind: .completion))
                    finalUnits.1.append(position)
                }
            }
        }

        // merge (drscs): per ASIC chunk, after every current's process unit of that chunk.
        if steps.contains(.merge) {
            let resources = configuration.resources(for: .merge)
            finalUnits = ([], [])
            for chunk in chunks {
                let id = JobUnitID.merge(channel: nil, asics: chunk)
                let upstream = processOfChunk[chunk] ?? ([], [])
                let position = builder.add(JobUnit(id: id, step: .merge, runs: runs, asics: chunk,
                                                   arrayGroup: JobUnitID.group(step: .merge), resources: resources,
                                                   dependencies: upstream.0), dependencyIndices: upstream.1)
                finalUnits.0.append(JobDependency(unit: id, kind: .completion))
                finalUnits.1.append(position)
            }
        }

        // join: after every process (or merge) unit has ended, successful or not. XFEL: two
        // units in one array, the AGIPD-orientation file and the XFEL-orientation file, so the
        // two copies of the module constants are written side by side, not one after the other.
        if steps.contains(.join) {
            let ids = request.facility == .xfel ? [JobUnitID.join, JobUnitID.joinXFEL] : [JobUnitID.join]
            for id in ids {
                builder.add(JobUnit(id: id, step: .join, runs: runs, asics: request.asics,
                                    arrayGroup: JobUnitID.group(step: .join), resources: configuration.resources(for: .join),
                                    dependencies: finalUnits.0), dependencyIndices: finalUnits.1)
            }
        }

        return JobGraph(request: request, units: builder.units, dependencyIndices: builder.dependencyIndices,
                        indexByID: builder.indexByID, warnings: warnings, channelsWithoutData: withoutData)
    }
}

/// Accumulates units with their dependency positions (known at creation, so no id lookups).
private struct GraphBuilder {
    var units: [JobUnit] = []
    var dependencyIndices: [[Int]] = []
    var indexByID: [String: Int] = [:]

    @discardableResult
    mutating func add(_ unit: JobUnit, dependencyIndices positions: [Int]) -> Int {
        let position = units.count
        indexByID[unit.id] = position
        units.append(unit)
        dependencyIndices.append(positions)
        return position
    }
}
