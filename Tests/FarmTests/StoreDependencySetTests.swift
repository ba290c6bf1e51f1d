import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: dependency sets")
struct StoreDependencySetTests {
    /// Two channels of `gathers` gathers each, `chunks` process chunks per channel that all wait
    /// on the channel's gathers, and a join after every chunk: the shape of a dark request.
    static func sharedPlan(_ request: String, gathers: Int, chunks: Int)
        -> (jobs: [JobUnitRecord], dependencies: [DependencyRecord]) {
        var jobs: [JobUnitRecord] = []
        var edges: [DependencyRecord] = []
        var processes: [String] = []
        for channel in 0..<2 {
            let ids = (0..<gathers).map { "gather-c\(channel)-s\($0)" }
            for (sequence, id) in ids.enumerated() {
                jobs.append(JobUnitRecord(request: request, id: id, step: .gather, runs: [7], channel: channel,
                                          sequence: sequence, arrayGroup: "gather"))
            }
            for chunk in 0..<chunks {
                let id = "process-c\(channel)-a\(chunk)"
                processes.append(id)
                jobs.append(JobUnitRecord(request: request, id: id, step: .process, runs: [7], channel: channel,
                                          asics: [chunk], arrayGroup: "process-c\(channel)"))
                edges += ids.map { DependencyRecord(request: request, job: id, dependsOn: $0, kind: .success) }
            }
        }
        jobs.append(JobUnitRecord(request: request, id: "join", step: .join, arrayGroup: "join"))
        edges += processes.map { DependencyRecord(request: request, job: "join", dependsOn: $0, kind: .completion) }
        return (jobs, edges)
    }

    @Test("units sharing a dependency list store it once and read back every edge")
    func sharedListsStoredOnce() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let (jobs, edges) = Self.sharedPlan("r1", gathers: 300, chunks: 16)
        #expect(edges.count == 2 * 16 * 300 + 32)

        try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)

        // One set per channel plus the join's: 3 rows for 9,632 edges.
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 3)
        #expect(try store.connection.integer("SELECT count(DISTINCT dependencySet) FROM jobUnit") == 3)
        let read = try store.dependencies(request: "r1")
        #expect(read.count == edges.count)
        #expect(Set(read) == Set(edges))
        #expect(try store.jobs(request: "r1") == jobs)
        #expect(try store.statusCounts(request: "r1") == StoreFixture.recount(store, request: "r1"))
        #expect(try store.dependencies(request: "other").isEmpty)
    }

    @Test("a planned graph stored as dependency lists reads back every edge of its units, one set per distinct list")
    func graphStoredAsLists() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let runs = [819, 820, 821]
        let request = PlanRequest(measurement: .dark, inputDir: "in", outputDir: "out", runs: runs,
                                  configuration: try Configuration.defaults.applying(overrides: ["process.n_jobs=4"]))
        let graph = try Planner.expand(request, inventory: PlannerFixture.inventory(runs: runs, channels: [0, 1, 2], sequences: 5))
        let (jobs, lists) = graph.storeRows(request: "r1")
        let edges = graph.units.flatMap { unit in
            unit.dependencies.map { DependencyRecord(request: "r1", job: unit.id, dependsOn: $0.unit,
                                                     kind: $0.kind == .completion ? .completion : .success) }
        }
        #expect(lists.edgeCount == edges.count)

        try store.createRequest(graph.requestRecord(id: "r1", executor: .slurm), jobs: jobs, dependencySets: lists)

        let read = try store.dependencies(request: "r1")
        #expect(read.count == edges.count)
        #expect(Set(read) == Set(edges))
        // 3 runs' preprocess (gathers), 3 channels' gathers (process chunks), the chunks (join).
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 7)
        #expect(try store.jobs(request: "r1") == jobs)
    }

    @Test("lists given per unit are refused like edges when they name a unit outside the request")
    func badListsRefused() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let jobs = ["a", "b"].map { JobUnitRecord(request: "r1", id: $0, step: .process) }
        var lists = DependencySets()
        lists.add(DependencyList(success: ["a"], completion: ["ghost"]), for: "b")
        #expect {
            try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencySets: lists)
        } throws: { error in
            guard case .constraint = error as? StoreError else { return false }
            return "\(error)".contains("unknown job unit 'ghost'")
        }
        #expect(try store.request("r1") == nil)
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 0)
    }

    @Test("a unit with both kinds of dependency keeps each edge's kind")
    func mixedKinds() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let jobs = ["a", "b", "c"].map { JobUnitRecord(request: "r1", id: $0, step: .process) }
        let edges = [DependencyRecord(request: "r1", job: "c", dependsOn: "a", kind: .success),
                     DependencyRecord(request: "r1", job: "b", dependsOn: "a", kind: .completion),
                     DependencyRecord(request: "r1", job: "c", dependsOn: "b", kind: .completion)]
        try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        #expect(Set(try store.dependencies(request: "r1")) == Set(edges))
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 2)
    }

    @Test("an edge on an unknown unit or a repeated edge is refused, naming the unit, and nothing is written")
    func badEdgesRefused() throws {
        let directory = try TemporaryDirectory("store")
        let store = try FarmStore(path: directory.file("calfarm.sqlite"))
        let jobs = ["a", "b"].map { JobUnitRecord(request: "r1", id: $0, step: .process) }
        let cases: [([DependencyRecord], String)] = [
            ([DependencyRecord(request: "r1", job: "b", dependsOn: "ghost")], "unknown job unit 'ghost'"),
            ([DependencyRecord(request: "r1", job: "phantom", dependsOn: "a")], "unknown job unit 'phantom'"),
            ([DependencyRecord(request: "r1", job: "b", dependsOn: "a"),
              DependencyRecord(request: "r1", job: "b", dependsOn: "a", kind: .completion)], "'a' listed twice"),
            ([DependencyRecord(request: "r9", job: "b", dependsOn: "a")], "dependency b -> a belongs to request 'r9'"),
        ]
        for (edges, message) in cases {
            #expect {
                try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
            } throws: { error in
                guard case .constraint = error as? StoreError else { return false }
                return "\(error)".contains(message)
            }
            #expect(try store.request("r1") == nil)
            #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 0)
            #expect(try store.connection.integer("SELECT count(*) FROM jobUnit") == 0)
        }
    }

    @Test("edges stored by schema 1 move into sets when the database is migrated")
    func migratesVersion1Edges() throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("calfarm.sqlite")
        do {
            let v1 = try FarmStore(path: path, journal: .auto, busyTimeout: .seconds(1), readOnly: false,
                                   migrations: [Migrations.v1])
            // Written as schema 1 code wrote it: one row per edge.
            try v1.connection.execute("""
                INSERT INTO request VALUES ('r1', 1.0, 'xfel', 'dark', '[1]', '[0]', '[1]', 'all', 'in', 'out',
                                            'local', '', 'planned', 'work');
                INSERT INTO jobUnit (request, id, step, runs, asics, state) VALUES
                    ('r1', 'g0', 'gather', '[1]', '[]', 'planned'), ('r1', 'g1', 'gather', '[1]', '[]', 'planned'),
                    ('r1', 'p0', 'process', '[1]', '[1]', 'planned'), ('r1', 'p1', 'process', '[1]', '[2]', 'done'),
                    ('r1', 'join', 'join', '[1]', '[]', 'planned');
                INSERT INTO dependency VALUES ('r1', 'p0', 'g0', 'success'), ('r1', 'p0', 'g1', 'success'),
                    ('r1', 'p1', 'g0', 'success'), ('r1', 'p1', 'g1', 'success'),
                    ('r1', 'join', 'p0', 'completion'), ('r1', 'join', 'p1', 'completion');
                """)
        }

        let store = try FarmStore(path: path)

        #expect(try Migrations.version(of: store.connection) == Migrations.latestVersion)
        #expect(try StoreFixture.tableNames(store).contains("dependency") == false)
        #expect(try store.connection.integer("SELECT count(*) FROM dependencySet") == 2)
        let expected: Set<DependencyRecord> = [
            DependencyRecord(request: "r1", job: "p0", dependsOn: "g0"), DependencyRecord(request: "r1", job: "p0", dependsOn: "g1"),
            DependencyRecord(request: "r1", job: "p1", dependsOn: "g0"), DependencyRecord(request: "r1", job: "p1", dependsOn: "g1"),
            DependencyRecord(request: "r1", job: "join", dependsOn: "p0", kind: .completion),
            DependencyRecord(request: "r1", job: "join", dependsOn: "p1", kind: .completion)]
        let read = try store.dependencies(request: "r1")
        #expect(read.count == 6)
        #expect(Set(read) == expected)
        #expect(try store.statusCounts(request: "r1") == [.gather: [.planned: 2], .process: [.planned: 1, .done: 1],
                                                          .join: [.planned: 1]])
        // The migrated database takes new requests in the new form.
        let (jobs, edges) = StoreFixture.plan("r2", pairs: 3)
        try store.createRequest(StoreFixture.request("r2"), jobs: jobs, dependencies: edges)
        #expect(Set(try store.dependencies(request: "r2")) == Set(edges))
    }

    @Test("unit id lists survive quotes, backslashes and control characters")
    func stringListRoundTrip() {
        let ids = ["plain", "quote\"d", "back\\slash", "tab\tnew\nline", "ünï", ""]
        #expect(StringList.decode(StringList.encode(ids)) == ids)
        #expect(StringList.encode([]) == "[]")
        #expect(StringList.encode(["a", "b"]) == #"["a","b"]"#)
        #expect(StringList.decode("[1, 2]") == nil)
    }
}
