import ArgumentParser
import Farm
import Foundation

/// `calfarm logs`: where a job unit's logs are, and what the newest attempt (or every attempt) wrote.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the log of a job unit's newest attempt (or of every attempt).")

    @Argument(help: "Job unit id, e.g. process.ch03.a01-08 (as in `calfarm status`).")
    var job: String

    @Option(help: "Request id (default: the latest request).")
    var request: String?

    @Flag(help: "Every attempt, oldest first, instead of the newest only.")
    var all = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    /// A log entry with what the file holds (nil when it does not exist yet).
    struct Shown: Encodable {
        var entry: LogEntry
        var content: String?

        func encode(to encoder: Encoder) throws {
            try entry.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(content, forKey: .content)
        }

        private enum Keys: String, CodingKey { case content }
    }

    func run() throws {
        try CommandFailure.run {
            let entries = try database.openFarm().logs(request: request, job: job)
            let shown = (all ? entries : Array(entries.suffix(1))).map { entry in
                Shown(entry: entry, content: FileManager.default.contents(atPath: entry.path).map { String(decoding: $0, as: UTF8.self) })
            }
            if output.json { return try JSONOutput.print(shown) }
            guard !shown.isEmpty else { return Console.progress("job unit \(job) has no attempt yet, so no log") }
            for item in shown {
                print("==> \(item.entry.path) (\(item.entry.job), attempt \(item.entry.attempt), \(item.entry.state)) <==")
                print(item.content?.trimmingTrailingNewlines ?? "(no file yet: the log appears when the attempt starts)")
            }
        }
    }
}
