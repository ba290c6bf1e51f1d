import FarmContract
import Foundation

/// Expands a ``PlanRequest`` into a ``JobGraph``.
///
/// XFEL: one preprocess per run; one gather per (run, channel, sequence file); one process per
/// (channel, ASIC chunk); for drscs one merge per (channel, ASIC); one join. CFEL (one module, no
/// train index, nothing to join): gather per run, process per ASIC chunk, merge for drscs.
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
    /// Validates the request, checks the directories (input exists, run directories exist, output
    /// writable), lists each raw run directory once, and expands.
    /// - Throws: ``ConfigurationError`` for request values, ``PlanError`` for the filesystem.
    public static func plan(_ request: PlanRequest) throws -> JobGraph {
        try request.validate()
        let steps = try request.plannedSteps()
        try Preflight.checkInputDirectory(request.inputDir)
        try Preflight.checkWritable(request.outputDir)
        var inventory: RawInventory?
        switch request.facility {
        case .xfel:
            if steps.contains(.preprocess) || steps.contains(.gather) {
                inventory = try RawInventory.scan(inputDir: request.inputDir, runs: request.runs)
            }
        case .cfel:
            if steps.contains(.gather), let temperature = request.temperature {
                try Preflight.checkDirectory("\(request.inputDir)/\(temperature)", what: "CFEL temperature directory")
            }
        }
        return try expand(request, inventory: inventory)
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
                let inventory = inventory ?? RawInventory(sequences: [:])
                var planned: [Int] = []
                for channel in requested {
                    let missing = runs.filter { inventory.sequences(run: $0, channel: channel).isEmpty }
                    if missing.count == runs.count {
                        warnings.append(.channelWithoutData(channel: channel))
                        withoutData.append(channel)
                    } else if let run = missing.first {
                        throw PlanError.channelMissingInRun(channel: channel, run: run,
                                                            path: request.paths.rawRunDir(run: run))
                    } else {
                        planned.append(channel)
                    }
                }
                guard !planned.isEmpty else { throw PlanError.noRawData(inputDir: request.inputDir, runs: runs) }
                channels = planned
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
                    let sequences: [Int?] = channel.map { inventory?.sequences(run: run, channel: $0) ?? [] } ?? [nil]
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
        // dependency array (all of that channel's gathers).
        var processOfASIC: [Int?: [Int: (JobDependency, Int)]] = [:]
        var finalUnits: ([JobDependency], [Int]) = ([], [])
        if steps.contains(.process) {
            let resources = configuration.resources(for: .process)
            let chunks = ASICChunks.balanced(request.asics, chunkCount: configuration.processChunksPerChannel)
            for channel in channels {
                let (dependencies, positions) = gatherDependencies[channel] ?? ([], [])
                let group = JobUnitID.group(step: .process, channel: channel)
                for chunk in chunks {
                    let id = JobUnitID.process(channel: channel, asics: chunk)
                    let position = builder.add(JobUnit(id: id, step: .process, runs: runs, channel: channel,
                                                       asics: chunk, arrayGroup: group, resources: resources,
                                                       dependencies: dependencies), dependencyIndices: positions)
                    for asic in chunk { processOfASIC[channel, default: [:]][asic] = (JobDependency(unit: id), position) }
                    finalUnits.0.append(JobDependency(unit: id, kind: .completion))
                    finalUnits.1.append(position)
                }
            }
        }

        // merge (drscs): per (channel, ASIC), after the process chunk holding that ASIC.
        if steps.contains(.merge) {
            let resources = configuration.resources(for: .merge)
            finalUnits = ([], [])
            for channel in channels {
                let group = JobUnitID.group(step: .merge, channel: channel)
                for asic in request.asics {
                    let id = JobUnitID.merge(channel: channel, asic: asic)
                    let upstream = processOfASIC[channel]?[asic]
                    let position = builder.add(JobUnit(id: id, step: .merge, runs: runs, channel: channel,
                                                       asics: [asic], arrayGroup: group, resources: resources,
                                                       dependencies: upstream.map { [$0.0] } ?? []),
                                               dependencyIndices: upstream.map { [$0.1] } ?? [])
                    finalUnits.0.append(JobDependency(unit: id, kind: .completion))
                    finalUnits.1.append(position)
                }
            }
        }

        // join: one, after every process (or merge) unit has ended, successful or not.
        if steps.contains(.join) {
            builder.add(JobUnit(id: JobUnitID.join, step: .join, runs: runs, asics: request.asics,
                                arrayGroup: JobUnitID.group(step: .join), resources: configuration.resources(for: .join),
                                dependencies: finalUnits.0), dependencyIndices: finalUnits.1)
        }

        return JobGraph(request: request, units: builder.units, dependencyIndices: builder.dependencyIndices,
                        indexByID: builder.indexByID, warnings: warnings, channelsWithoutData: withoutData,
                        inventory: inventory)
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
