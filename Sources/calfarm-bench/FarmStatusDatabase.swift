import Farm
import FarmContract
import Foundation

/// The status benchmark's database: `requests` synthetic XFEL darks totalling ~`rows` job units,
/// each stored, "submitted" (one token, one attempt per unit) and finished the way a real request
/// ends: 0.5 % of gathers failed, the process and join units of the last two channels still
/// queued, everything else done. Built once through the public store API and then reused.
struct FarmStatusDatabase {
    var path: String
    var requests: Int
    var rows: Int
    var nJobs: Int

    var shape: FarmSyntheticDark {
        FarmSyntheticDark(sequences: FarmSyntheticDark.sequences(forUnits: rows / requests, nJobs: nJobs), nJobs: nJobs)
    }

    var requestIDs: [String] { (0..<requests).map { "dark-status-\($0)" } }

    var totalUnits: Int { shape.unitCount * requests }

    /// True when `path` already holds exactly these requests with the expected unit counts.
    func isComplete() -> Bool {
        guard FileManager.default.fileExists(atPath: path), let store = try? FarmStore(path: path) else { return false }
        for id in requestIDs {
            guard let counts = try? store.statusCounts(request: id) else { return false }
            let total = counts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            if total != shape.unitCount { return false }
        }
        return true
    }

    func build() throws {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try FarmStore(path: path)
        let shape = shape
        let outputDir = (path as NSString).deletingLastPathComponent + "/calfarm-bench-status-out"
        for (index, id) in requestIDs.enumerated() {
            let started = Date()
            let request = try shape.request(inputDir: "/data/raw-input", outputDir: outputDir)
            let graph = try Planner.expand(request, inventory: shape.inventory)
            let record = FarmSyntheticDark.record(id: id, graph: graph)
            let workspace = RequestWorkspace(root: record.workDir)
            let rows = FarmSyntheticDark.rows(id: id, graph: graph)
            try store.createRequest(record, jobs: rows.jobs, dependencySets: rows.dependencies)
            let files = FarmSubmissionFiles(graph: graph, record: record, configuration: request.configuration)
            try files.recordSubmissions(files.batches(), store: store, workspace: workspace,
                                        jobIDBase: 1_000_000 + 10_000 * index)

            let stillQueued = Set(graph.units.filter {
                ($0.step == .process && ($0.channel ?? 0) >= shape.channels - 2) || $0.step == .join
            }.map(\.id))
            var failed: [(job: String, error: String)] = []
            var done: [String] = []
            for (position, unit) in graph.units.enumerated() where !stillQueued.contains(unit.id) {
                if unit.step == .gather && position % 200 == 0 {
                    failed.append((unit.id, "exit code 1: cannot read \(unit.id): truncated raw file"))
                } else {
                    done.append(unit.id)
                }
            }
            try store.markJobsDone(request: id, jobs: done)
            try store.markJobsFailed(request: id, failures: failed)
            try store.setRequestState(.partial, request: id)
            print(String(format: "  built request %@ (%@ units, %@ edges) in %.1f s", id,
                         FarmTiming.count(graph.count), FarmTiming.count(rows.dependencies.edgeCount),
                         Date().timeIntervalSince(started)))
        }
    }
}
