import Farm
import FarmContract
import Foundation

/// Benchmark 1: plan + store + render a synthetic XFEL dark of ~100,000 job units, phase by
/// phase, on a fresh database and workspace per repeat. Target: under 2 s in total.
///
/// References, measured in the same repeat:
/// - expand ↔ formatting as many id strings and indexing them in a dictionary (the least any
///   planner with stable string ids does);
/// - store ↔ inserting the same number of rows (units + edges) through the same store, with one
///   prepared statement in one transaction (`appendEvents`): the SQLite row-insert floor here;
/// - specs + scripts ↔ writing the same bytes into the same number of files with FileHandle: the
///   filesystem floor.
enum FarmPlanBenchmark {
    struct Repeat {
        var expand = 0.0, records = 0.0, open = 0.0, insert = 0.0, groups = 0.0, specs = 0.0, scripts = 0.0
        var bookkeeping = 0.0
        /// Diagnosis (`--diagnose`): units alone (no dependencies) on a fresh database.
        var unitsOnly = Double.nan
        /// Building every unit's JobSpec, the first half of writing the spec files.
        var makeSpecs = Double.nan
        /// The same unit rows copied by SQLite alone (sqlite3 shell, INSERT … SELECT, schema v1),
        /// with and without the jobCount insert trigger: SQLite's own share of createRequest.
        var shellCopy = Double.nan, shellCopyWithoutTrigger = Double.nan
        var refIDs = 0.0, refRows = 0.0, refBytes = 0.0
        var store: Double { records + open + insert }
        var render: Double { groups + specs + scripts }
        var total: Double { expand + store + render }
        var referenceTotal: Double { refIDs + refRows + refBytes }
    }

    static let target = 2.0

    static func run(_ options: FarmBenchmarks.Options) throws {
        let shape = FarmSyntheticDark(sequences: FarmSyntheticDark.sequences(forUnits: options.units, nJobs: options.nJobs),
                                      nJobs: options.nJobs)
        print("\n== plan + store + render: \(shape.description)")
        var repeats: [Repeat] = []
        var sizes = (units: 0, edges: 0, batches: 0, specBytes: 0, scriptBytes: 0)
        for index in 0..<options.repeats {
            let directory = "\(options.work)/calfarm-bench-plan-\(getpid())-\(index)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var r = Repeat()
            let request = try shape.request(inputDir: "\(directory)/in", outputDir: "\(directory)/out")
            let inventory = shape.inventory

            // Plan (no filesystem: the inventory stands for the listed raw directories).
            let graph: JobGraph
            (graph, r.expand) = try FarmTiming.measure { try Planner.expand(request, inventory: inventory) }

            // Store: rows as submit derives them, a fresh database, one transaction.
            let id = "dark-bench-\(index)"
            let record = FarmSyntheticDark.record(id: id, graph: graph)
            let workspace = RequestWorkspace(root: record.workDir)
            let rows: (jobs: [JobUnitRecord], dependencies: DependencySets)
            (rows, r.records) = FarmTiming.measure { FarmSyntheticDark.rows(id: id, graph: graph) }
            let store: FarmStore
            (store, r.open) = try FarmTiming.measure { try FarmStore(path: "\(directory)/state.sqlite") }
            r.insert = try FarmTiming.seconds {
                try store.createRequest(record, jobs: rows.jobs, dependencySets: rows.dependencies)
            }

            // Render: array groups cut at MaxArraySize, one spec file and one script per array.
            try FarmSubmissionFiles.createDirectories(workspace)
            let files = FarmSubmissionFiles(graph: graph, record: record, configuration: request.configuration)
            let batches: [SubmissionBatch]
            (batches, r.groups) = FarmTiming.measure { files.batches() }
            let specBytes: Int, scriptBytes: Int
            (specBytes, r.specs) = try FarmTiming.measure { try files.writeSpecs(batches, workspace: workspace) }
            (scriptBytes, r.scripts) = try FarmTiming.measure {
                try files.writeScripts(batches, workspace: workspace, workerPath: "/opt/calfarm/bin/calfarm-worker")
            }
            // Not part of the target: the token and attempt rows written around each sbatch call.
            r.bookkeeping = try FarmTiming.seconds { try files.recordSubmissions(batches, store: store, workspace: workspace) }
            sizes = (graph.count, rows.dependencies.edgeCount, batches.count, specBytes, scriptBytes)
            if options.diagnose {
                let unitsPath = "\(directory)/units-only.sqlite"
                let unitsStore = try FarmStore(path: unitsPath)
                r.unitsOnly = try FarmTiming.seconds {
                    try unitsStore.createRequest(record, jobs: rows.jobs, dependencySets: DependencySets())
                }
                r.shellCopy = try shellCopyTime(from: unitsPath, to: "\(directory)/copy.sqlite", dropTrigger: false)
                r.shellCopyWithoutTrigger = try shellCopyTime(from: unitsPath, to: "\(directory)/copy-nt.sqlite", dropTrigger: true)
                r.makeSpecs = specCost(graph: graph, record: record, workspace: workspace)
            }

            // References.
            r.refIDs = referenceIDs(count: graph.count)
            r.refRows = try referenceRows(count: rows.jobs.count + rows.dependencies.edgeCount,
                                          path: "\(directory)/reference.sqlite")
            r.refBytes = try referenceBytes(files: 2 * batches.count, bytes: specBytes + scriptBytes,
                                            directory: "\(directory)/reference-files")
            repeats.append(r)
            print(String(format: "  repeat %d: expand %.3f  store %.3f  render %.3f  total %.3f s"
                         + "  | refs: ids %.3f  rows %.3f  bytes %.3f  | bookkeeping %.3f s",
                         index + 1, r.expand, r.store, r.render, r.total, r.refIDs, r.refRows, r.refBytes, r.bookkeeping))
        }
        report(repeats, sizes: sizes, shape: shape, repeatsCount: options.repeats)
    }

    static func report(_ repeats: [Repeat], sizes: (units: Int, edges: Int, batches: Int, specBytes: Int, scriptBytes: Int),
                       shape: FarmSyntheticDark, repeatsCount: Int) {
        func m(_ key: (Repeat) -> Double) -> Double { FarmTiming.median(repeats.map(key)) }
        func ratio(_ a: Double, _ b: Double) -> String {
            a / b < 0.1 ? String(format: "%.0f %%", 100 * a / b) : String(format: "%.1f×", a / b)
        }
        let units = FarmTiming.count(sizes.units), rowsCount = FarmTiming.count(sizes.units + sizes.edges)
        let megabytes = String(format: "%.0f MB", Double(sizes.specBytes + sizes.scriptBytes) / 1e6)
        let total = m(\.total)
        let rows: [FarmTableRow] = [
            FarmTableRow(name: "expand (Planner.expand)", size: "\(units) units", median: FarmTiming.format(m(\.expand)),
                         reference: "ids + index: \(FarmTiming.format(m(\.refIDs)))", ratio: ratio(m(\.expand), m(\.refIDs))),
            FarmTableRow(name: "store (rows + open + createRequest)", size: "\(rowsCount) rows",
                         median: FarmTiming.format(m(\.store)),
                         reference: "plain inserts: \(FarmTiming.format(m(\.refRows)))", ratio: ratio(m(\.store), m(\.refRows))),
            FarmTableRow(name: "  of which rows (JobGraph.storeRows)", size: "\(units) units + lists",
                         median: FarmTiming.format(m(\.records))),
            FarmTableRow(name: "  of which createRequest", size: "\(FarmTiming.count(sizes.edges)) edges as lists",
                         median: FarmTiming.format(m(\.insert))),
            FarmTableRow(name: "render (groups + specs + scripts)", size: "\(sizes.batches) arrays, \(megabytes)",
                         median: FarmTiming.format(m(\.render)),
                         reference: "FileHandle writes: \(FarmTiming.format(m(\.refBytes)))",
                         ratio: ratio(m(\.render), m(\.refBytes))),
            FarmTableRow(name: "  of which spec files", size: String(format: "%.0f MB", Double(sizes.specBytes) / 1e6),
                         median: FarmTiming.format(m(\.specs))),
            FarmTableRow(name: "  of which scripts", size: "\(sizes.batches) scripts", median: FarmTiming.format(m(\.scripts))),
            FarmTableRow(name: "plan + store + render", size: "\(units) units", median: FarmTiming.format(total),
                         reference: "sum of refs: \(FarmTiming.format(m(\.referenceTotal)))",
                         ratio: ratio(total, m(\.referenceTotal)),
                         verdict: (total < target ? "PASS" : "MISS") + " (< 2 s)"),
            FarmTableRow(name: "submission bookkeeping (not in target)", size: "\(units) attempts",
                         median: FarmTiming.format(m(\.bookkeeping))),
        ]
        FarmTable.print(title: "plan + store + render, \(shape.description); median of \(repeatsCount)", rows)
        if !m(\.unitsOnly).isNaN {
            let edgesPart = m(\.insert) - m(\.unitsOnly)
            let perRow = m(\.refRows) / Double(sizes.units + sizes.edges)
            FarmTable.print(title: "diagnosis", [
                FarmTableRow(name: "createRequest, units only", size: "\(units) units", median: FarmTiming.format(m(\.unitsOnly)),
                             reference: "plain inserts, same rows: \(FarmTiming.format(perRow * Double(sizes.units)))",
                             ratio: ratio(m(\.unitsOnly), perRow * Double(sizes.units))),
                FarmTableRow(name: "  same unit rows, SQLite alone (shell)", size: "\(units) units",
                             median: FarmTiming.format(m(\.shellCopy)),
                             reference: "without jobCount trigger: \(FarmTiming.format(m(\.shellCopyWithoutTrigger)))",
                             ratio: ratio(m(\.shellCopy), m(\.shellCopyWithoutTrigger))),
                FarmTableRow(name: "createRequest, the dependency lists (difference)",
                             size: "\(FarmTiming.count(sizes.edges)) edges", median: FarmTiming.format(edgesPart),
                             reference: "plain inserts, same rows: \(FarmTiming.format(perRow * Double(sizes.edges)))",
                             ratio: ratio(edgesPart, perRow * Double(sizes.edges))),
                FarmTableRow(name: "  of spec files: JobSpecFactory.makeSpec", size: "\(units) specs",
                             median: FarmTiming.format(m(\.makeSpecs)),
                             reference: "spec files: \(FarmTiming.format(m(\.specs)))", ratio: ratio(m(\.makeSpecs), m(\.specs))),
            ])
        }
        print(String(format: "spec bytes per unit: %.0f (the effective configuration, %d bytes, is in each array's header line once)",
                     Double(sizes.specBytes) / Double(max(sizes.units, 1)), Configuration.defaults.effectiveYAML.utf8.count))
    }

    /// Making every unit's JobSpec as the executor does before writing the spec files.
    static func specCost(graph: JobGraph, record: RequestRecord, workspace: RequestWorkspace) -> Double {
        let factory = JobSpecFactory(graph: graph, requestID: record.id, configurationYAML: record.configuration)
        return FarmTiming.seconds {
            let specs = graph.units.map { factory.makeSpec(for: $0, resultPath: workspace.resultPath(job: $0.id)) }
            precondition(specs.count == graph.count)
        }
    }

    /// Copies the job units of `source` into a fresh database with the same schema (and pragmas)
    /// with `INSERT … SELECT` in the sqlite3 shell; returns the shell's timing of the copy and
    /// its commit. No Swift, no binding: what SQLite itself needs for these rows.
    static func shellCopyTime(from source: String, to path: String, dropTrigger: Bool) throws -> Double {
        let schema = String(decoding: try FarmStatusBenchmark.runProcess("/usr/bin/sqlite3", [source, ".schema"]), as: UTF8.self)
        let script = [
            ".bail on", schema,
            "PRAGMA journal_mode = WAL;", "PRAGMA synchronous = FULL;", "PRAGMA foreign_keys = ON;",
            dropTrigger ? "DROP TRIGGER jobUnit_countInsert;" : "",
            "ATTACH '\(source)' AS source;", "INSERT INTO request SELECT * FROM source.request;",
            ".timer on", "BEGIN IMMEDIATE;", "INSERT INTO jobUnit SELECT * FROM source.jobUnit;", "COMMIT;", "",
        ].joined(separator: "\n")
        let output = String(decoding: try FarmStatusBenchmark.runProcess("/usr/bin/sqlite3", [path], input: script), as: UTF8.self)
        let times = output.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("Run Time: real ") else { return nil }
            return Double(line.dropFirst("Run Time: real ".count).split(separator: " ").first ?? "")
        }
        guard times.count == 3 else { throw FarmBenchError.unexpected("sqlite3 copy printed no timings:\n\(output.suffix(500))") }
        return times.reduce(0, +)
    }

    /// Formats `count` ids of the planner's shape and indexes them.
    static func referenceIDs(count: Int) -> Double {
        FarmTiming.seconds {
            var ids: [String] = []
            ids.reserveCapacity(count)
            var index: [String: Int] = [:]
            index.reserveCapacity(count)
            for i in 0..<count {
                let id = "gather.r9001.ch\(i % 16).s\(i)"
                index[id] = i
                ids.append(id)
            }
            precondition(index.count == count)
        }
    }

    /// Inserts `count` short rows with one prepared statement in one transaction, through a
    /// fresh store with the same pragmas (journal mode, synchronous FULL).
    static func referenceRows(count: Int, path: String) throws -> Double {
        let store = try FarmStore(path: path)
        let request = RequestRecord(id: "reference", createdAt: Date(), facility: .xfel, measurement: .dark, runs: [],
                                    channels: [], asics: [], runType: "all", inputDir: "", outputDir: "",
                                    executor: "slurm", configuration: "", workDir: "")
        try store.createRequest(request, jobs: [], dependencies: [])
        let now = Date()
        let events = (0..<count).map { i in
            EventRecord(request: "reference", time: now, kind: "bench", message: "gather.r9001.ch03.s\(i)")
        }
        return try FarmTiming.seconds { try store.appendEvents(events) }
    }

    /// Writes `bytes` spread over `files` files with FileHandle (no encoding, no rename).
    static func referenceBytes(files: Int, bytes: Int, directory: String) throws -> Double {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let perFile = max(1, bytes / max(files, 1))
        let buffer = Data(repeating: 0x61, count: perFile)
        return try FarmTiming.seconds {
            for i in 0..<files {
                let path = "\(directory)/\(i).txt"
                guard FileManager.default.createFile(atPath: path, contents: nil),
                      let handle = FileHandle(forWritingAtPath: path) else {
                    throw FarmBenchError.io(path: path, reason: "cannot create")
                }
                try handle.write(contentsOf: buffer)
                try handle.close()
            }
        }
    }
}
