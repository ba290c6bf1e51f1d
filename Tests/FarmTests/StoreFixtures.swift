import CalFarmTestSupport
import FarmContract
import Foundation
@testable import Farm

/// Synthetic requests for the store tests: gathers per channel, one process per gather
/// (waiting on it), one join after every process — the shape of a real DAG, at any size.
enum StoreFixture {
    static func request(_ id: String, createdAt: Date = Date(timeIntervalSince1970: 1_700_000_000),
                        executor: String = "slurm") -> RequestRecord {
        RequestRecord(id: id, createdAt: createdAt, facility: .xfel, measurement: .dark,
                      runs: [9001, 9002, 9003], channels: Array(0..<16), asics: Array(1...16),
                      runType: "all", inputDir: "in/raw", outputDir: "out/constants", executor: executor,
                      configuration: "slurm:\n  partition: upex\n  time: \"12:00:00\"\n", workDir: "work/\(id)")
    }

    /// `pairs` gather units and as many process units, plus one join: 2 × pairs + 1 units and
    /// 2 × pairs edges. `withPaths: false` keeps rows small for million-row tests.
    static func plan(_ request: String, pairs: Int, withPaths: Bool = true)
        -> (jobs: [JobUnitRecord], dependencies: [DependencyRecord]) {
        var jobs: [JobUnitRecord] = []
        var edges: [DependencyRecord] = []
        jobs.reserveCapacity(2 * pairs + 1)
        edges.reserveCapacity(2 * pairs)
        for index in 0..<pairs {
            let channel = index % 16
            let gather = "g\(index)"
            let process = "p\(index)"
            jobs.append(JobUnitRecord(
                request: request, id: gather, step: .gather, runs: [9001], channel: channel, sequence: index / 16,
                asics: [], specPath: withPaths ? "work/specs/\(gather).json" : nil,
                resultPath: withPaths ? "work/results/\(gather).json" : nil,
                logPath: withPaths ? "work/logs/\(gather).log" : nil, arrayGroup: "gather-c\(channel)",
                timeLimit: "01:00:00"))
            jobs.append(JobUnitRecord(
                request: request, id: process, step: .process, runs: [9001, 9002, 9003], channel: channel,
                asics: [1 + index % 16], logPath: withPaths ? "work/logs/\(process).log" : nil,
                arrayGroup: "process-c\(channel)"))
            edges.append(DependencyRecord(request: request, job: process, dependsOn: gather, kind: .success))
            edges.append(DependencyRecord(request: request, job: "join", dependsOn: process, kind: .completion))
        }
        jobs.append(JobUnitRecord(request: request, id: "join", step: .join, asics: Array(1...16), arrayGroup: "join"))
        return (jobs, edges)
    }

    /// A store in a fresh temporary directory, with one stored request of `pairs` pairs.
    static func store(pairs: Int = 8, in directory: TemporaryDirectory, request: String = "r1") throws -> FarmStore {
        let store = try FarmStore(path: directory.file("state/calfarm.sqlite"))
        let (jobs, edges) = plan(request, pairs: pairs)
        try store.createRequest(Self.request(request), jobs: jobs, dependencies: edges)
        return store
    }

    /// Job counts recomputed from `jobUnit` with GROUP BY, to check the trigger-kept `jobCount`.
    static func recount(_ store: FarmStore, request: String) throws -> [Step: [JobState: Int]] {
        try store.connection.withStatement("SELECT step, state, count(*) FROM jobUnit WHERE request = ? GROUP BY step, state") {
            try $0.bind(.text(request))
            var counts: [Step: [JobState: Int]] = [:]
            while try $0.step() {
                counts[Step(rawValue: $0.string(0))!, default: [:]][JobState(rawValue: $0.string(1))!] = $0.int(2)
            }
            return counts
        }
    }

    static func tableNames(_ store: FarmStore) throws -> Set<String> {
        try store.connection.withStatement("SELECT name FROM sqlite_schema WHERE type = 'table'") {
            var names: Set<String> = []
            while try $0.step() { names.insert($0.string(0)) }
            return names
        }
    }
}

/// A value shared between a test and the threads it starts.
final class LockedBox<Value>: @unchecked Sendable {  // every access goes through `lock`
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func mutate(_ body: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body(&value)
    }

    var current: Value {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
