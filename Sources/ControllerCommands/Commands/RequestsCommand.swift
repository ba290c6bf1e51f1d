import ArgumentParser
import Farm
import Foundation

/// `calfarm requests`: the most recent requests in the state database.
struct RequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "requests", abstract: "List recent requests, newest first.")

    @Option(parsing: .unconditional, help: "How many requests to list.")
    var limit = 20

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    /// One row; also the `--json` element.
    struct Row: Encodable {
        var request, measurement, facility, runType, executor, state, outputDir: String
        var runs, channels: [Int]
        var createdAt: Date
    }

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        try CommandFailure.run {
            let rows = try database.openFarm().store.requests(limit: limit).map {
                Row(request: $0.id, measurement: $0.measurement.rawValue, facility: $0.facility.rawValue,
                    runType: $0.runType, executor: $0.executor, state: $0.supersededBy == nil ? $0.state.rawValue : "superseded",
                    outputDir: $0.outputDir,
                    runs: $0.runs, channels: $0.channels, createdAt: $0.createdAt)
            }
            if output.json { return try JSONOutput.print(rows) }
            var table = TextTable(header: ["request", "measurement", "runs", "channels", "created", "executor", "state"])
            for row in rows {
                table.append([row.request, "\(row.measurement) (\(row.facility))", row.runs.map(String.init).joined(separator: ","),
                              IndexList.format(row.channels), StatusTable.timestamp(row.createdAt), row.executor, row.state])
            }
            print(rows.isEmpty ? "no requests in \(database.resolvedPath())" : table.render())
        }
    }
}
