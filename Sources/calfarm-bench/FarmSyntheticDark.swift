import Farm
import FarmContract
import Foundation

/// A synthetic XFEL dark request, planned exactly as `calfarm submit` plans it but from a raw
/// inventory given in memory (no raw files): 3 runs (HG/MG/LG), `channels` channels, `sequences`
/// sequence files per run and channel, `process.n_jobs` ASIC chunks per channel.
///
/// Units: 3 preprocess + runs·channels·sequences gather + channels·min(n_jobs, 16) process + 1 join.
/// Edges: one per gather (its run's preprocess), gathers-per-channel per process chunk (a chunk
/// waits for every gather of its channel), one per process chunk for join.
struct FarmSyntheticDark {
    static let runs = [9001, 9002, 9003]
    var channels: Int = 16
    var sequences: Int
    var nJobs: Int = 16

    /// The sequence count that brings the request closest to `units` job units.
    static func sequences(forUnits units: Int, channels: Int = 16, nJobs: Int = 16) -> Int {
        let fixed = runs.count + channels * min(nJobs, 16) + 1
        let perSequence = runs.count * channels
        return max(1, Int((Double(units - fixed) / Double(perSequence)).rounded()))
    }

    var unitCount: Int { Self.runs.count + Self.runs.count * channels * sequences + channels * min(nJobs, 16) + 1 }

    var edgeCount: Int {
        let gathers = Self.runs.count * channels * sequences
        let chunks = channels * min(nJobs, 16)
        return gathers + chunks * Self.runs.count * sequences + chunks
    }

    var description: String {
        "XFEL dark, \(Self.runs.count) runs × \(channels) channels × \(FarmTiming.count(sequences)) sequences, "
            + "n_jobs \(nJobs): \(FarmTiming.count(unitCount)) units, \(FarmTiming.count(edgeCount)) edges"
    }

    /// The effective configuration, as the controller builds it from the command line.
    func configuration() throws -> Configuration {
        try Configuration.defaults.applying(overrides: [
            "general.runs=[\(Self.runs.map(String.init).joined(separator: ", "))]",
            "general.channels=0-\(channels - 1)",
            "process.n_jobs=\(nJobs)",
        ])
    }

    func request(inputDir: String, outputDir: String) throws -> PlanRequest {
        PlanRequest(facility: .xfel, measurement: .dark, inputDir: inputDir, outputDir: outputDir,
                    runs: Self.runs, channels: Array(0..<channels), configuration: try configuration())
    }

    /// What listing the raw run directories would find: every channel has every sequence.
    var inventory: RawInventory {
        let perChannel = Array(0..<sequences)
        var byRun: [Int: [Int: [Int]]] = [:]
        for run in Self.runs {
            byRun[run] = Dictionary(uniqueKeysWithValues: (0..<channels).map { ($0, perChannel) })
        }
        return RawInventory(sequences: byRun)
    }

    /// The request row the controller stores (see `Farm.submit`).
    static func record(id: String, graph: JobGraph, executor: ExecutorKind = .slurm) -> RequestRecord {
        graph.requestRecord(id: id, executor: executor)
    }

    /// Job unit rows and dependency lists exactly as `Farm.submit` derives them from the graph.
    static func rows(id: String, graph: JobGraph) -> (jobs: [JobUnitRecord], dependencies: DependencySets) {
        graph.storeRows(request: id)
    }
}
