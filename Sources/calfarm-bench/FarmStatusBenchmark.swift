import Farm
import FarmContract
import Foundation

/// Benchmark 2: `status` of one request in a database of ~1,000,000 job rows. Target: < 100 ms.
///
/// Measured: `FarmStore.statusCounts` + `failedJobs(limit: 100)` (the queries), `Farm.status(refresh:
/// false)` (everything `calfarm status --no-refresh` does in process), and the whole command once
/// per repeat as a child process. References in the same run: the naive query
/// `SELECT step, state, count(*) … GROUP BY step, state` over the request's rows and over all rows
/// (timed by the sqlite3 shell, same SQLite version), loading the request's units and counting in
/// Swift, and the same executable printing its `status --help` (process start-up alone).
enum FarmStatusBenchmark {
    static let target = 0.1

    static func run(_ options: FarmBenchmarks.Options) throws {
        let perRequest = options.statusRows / options.statusRequests
        let database = FarmStatusDatabase(
            path: options.statusDB ?? "\(options.work)/calfarm-bench-status-\(options.statusRequests)x\(perRequest).sqlite",
            requests: options.statusRequests, rows: options.statusRows, nJobs: options.nJobs)
        print("\n== status: \(options.statusRequests) request(s) × \(database.shape.description)")
        if options.rebuild || !database.isComplete() {
            print("  building \(database.path) (once; reused by later runs)")
            let seconds = try FarmTiming.seconds { try database.build() }
            print(String(format: "  built in %.1f s", seconds))
        } else {
            print("  reusing \(database.path)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        let id = database.requestIDs[database.requests / 2]
        let farm = try Farm(databasePath: database.path, environment: ["HOME": options.work, "CALFARM_HOME": options.work])
        let repeats = options.statusRepeats

        // The two queries status makes, then the whole in-process report.
        var expectedFailed = 0
        let queries = try (0..<repeats).map { _ in
            try FarmTiming.seconds {
                let counts = try farm.store.statusCounts(request: id)
                let failed = try farm.store.failedJobs(request: id, limit: 100)
                precondition(!counts.isEmpty)
                expectedFailed = failed.count
            }
        }
        var reportTotal = 0
        let facade = try (0..<repeats).map { _ in
            try FarmTiming.seconds { reportTotal = try farm.status(request: id, refresh: false).jobs.total }
        }
        guard reportTotal == database.shape.unitCount, expectedFailed == 100 else {
            throw FarmBenchError.unexpected("status of \(id): \(reportTotal) jobs, \(expectedFailed) failed listed; "
                                            + "expected \(database.shape.unitCount) and 100")
        }

        // References: naive counting.
        let naiveSwift = try (0..<5).map { _ in
            try FarmTiming.seconds {
                var counts: [String: Int] = [:]
                for job in try farm.store.jobs(request: id) { counts["\(job.step.rawValue)|\(job.state.rawValue)", default: 0] += 1 }
                precondition(counts.values.reduce(0, +) == database.shape.unitCount)
            }
        }
        let naiveRequest = try sqliteShellTimes(database.path, repeats: 11, sql:
            "SELECT step, state, count(*) FROM jobUnit WHERE request = '\(id)' GROUP BY step, state;")
        let naiveAll = try sqliteShellTimes(database.path, repeats: 5, sql:
            "SELECT request, step, state, count(*) FROM jobUnit GROUP BY request, step, state;")

        func ms(_ values: [Double]) -> String { FarmTiming.format(FarmTiming.median(values)) }
        func ratio(_ a: [Double], _ b: [Double]) -> String {
            let r = FarmTiming.median(a) / FarmTiming.median(b)
            return r < 1 ? String(format: "1/%.0f", 1 / r) : String(format: "%.1f×", r)
        }
        func verdict(_ values: [Double]) -> String { (FarmTiming.median(values) < target ? "PASS" : "MISS") + " (< 100 ms)" }
        let rowsText = "\(FarmTiming.count(database.totalUnits)) rows"
        let requestText = "\(FarmTiming.count(database.shape.unitCount)) of \(FarmTiming.count(database.totalUnits))"
        var rows: [FarmTableRow] = [
            FarmTableRow(name: "statusCounts + failedJobs(100)", size: requestText, median: ms(queries),
                         reference: "GROUP BY, request: \(ms(naiveRequest))", ratio: ratio(queries, naiveRequest),
                         verdict: verdict(queries)),
            FarmTableRow(name: "Farm.status(refresh: false)", size: requestText, median: ms(facade),
                         reference: "GROUP BY, all rows: \(ms(naiveAll))", ratio: ratio(facade, naiveAll),
                         verdict: verdict(facade)),
            FarmTableRow(name: "reference: load units + count in Swift", size: requestText, median: ms(naiveSwift)),
        ]

        // The whole command, as a user runs it.
        if let calfarm = calfarmPath(options) {
            let command = ["status", id, "--no-refresh", "--json", "--db", database.path]
            var output = Data()
            let endToEnd = try (0..<11).map { _ in try FarmTiming.seconds { output = try runProcess(calfarm, command) } }
            let startup = try (0..<11).map { _ in try FarmTiming.seconds { _ = try runProcess(calfarm, ["status", "--help"]) } }
            let json = try JSONSerialization.jsonObject(with: output) as? [String: Any]
            let total = (json?["jobs"] as? [String: Any])?["total"] as? Int
            guard total == database.shape.unitCount else {
                throw FarmBenchError.unexpected("calfarm status --json reported \(String(describing: total)) jobs")
            }
            rows.append(FarmTableRow(name: "calfarm status --no-refresh --json", size: rowsText, median: ms(endToEnd),
                                     reference: "calfarm status --help: \(ms(startup))", ratio: ratio(endToEnd, startup),
                                     verdict: verdict(endToEnd)))
        } else {
            print("  (calfarm executable not found: end-to-end timing skipped; pass --calfarm PATH)")
        }
        FarmTable.print(title: "status of request \(id) in \(rowsText) (\(options.statusRequests) request(s), "
                        + String(format: "%.2f GB file); median of %d (references: 5–11)", Double(size) / 1e9, repeats), rows)
    }

    static func calfarmPath(_ options: FarmBenchmarks.Options) -> String? {
        if let explicit = options.calfarm { return explicit }
        let beside = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/calfarm"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }

    /// Runs `sql` `repeats` times in one `sqlite3 -readonly` shell with `.timer on`; returns the
    /// shell's own per-statement wall times (process start-up excluded).
    static func sqliteShellTimes(_ path: String, repeats: Int, sql: String) throws -> [Double] {
        let script = ".timer on\n" + String(repeating: sql + "\n", count: repeats)
        let output = String(decoding: try runProcess("/usr/bin/sqlite3", ["-readonly", path], input: script), as: UTF8.self)
        let times = output.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("Run Time: real ") else { return nil }
            return Double(line.dropFirst("Run Time: real ".count).split(separator: " ").first ?? "")
        }
        guard times.count == repeats else { throw FarmBenchError.unexpected("sqlite3 printed no timings:\n\(output.suffix(500))") }
        return times
    }

    /// Runs a program to completion; returns its standard output (errors name the program).
    static func runProcess(_ executable: String, _ arguments: [String], input: String? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FarmBenchError.unexpected("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }
}
