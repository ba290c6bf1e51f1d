import CalFarmTestSupport
@testable import ControllerCommands
@testable import Farm
import Foundation
import Testing

/// Issue 14 §6: the small faults a first trial met.
@Suite("small faults")
struct SmallFaultsTests {
    @Test("status, requests and logs with a mistyped --db are an error naming the path, and create no database")
    func mistypedDatabase() throws {
        let dir = try TemporaryDirectory("mistyped-db")
        let path = dir.file("typo.sqlite")
        for command in [["status"], ["requests"], ["logs", "join"], ["cancel", "r1"]] {
            let run = try CalfarmProcess.run(command + ["--db", path], environment: ["CALFARM_HOME": dir.file("home")])
            #expect(run.status != 0 && run.stderr.contains("no state database at \(path)"), "\(command): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a value of the wrong type names the type with its article: an integer, a string")
    func articles() throws {
        #expect { try Configuration.defaults.applying(overrides: ["process.n_jobs=many"]) } throws: { error in
            "\(error)".contains("must be an integer") || "\(error)".contains("integer ≥ 1")
        }
        #expect(ConfigurationError.article(for: "integer ≥ 1") == "an" && ConfigurationError.article(for: "string") == "a"
                && ConfigurationError.article(for: "one of Cu, Mo") == "a")
    }

    @Test("a negative number after --channels, --asics or --limit is refused as a number, not as a missing value")
    func negativeNumbers() {
        func message(_ arguments: [String]) -> String {
            do {
                _ = try CalFarmCommand.parseAsRoot(arguments)
                return "parsed"
            } catch {
                return CalFarmCommand.message(for: error)
            }
        }
        let submit = ["submit", "--type", "dark", "--input-dir", "in", "--output-dir", "out", "--runs", "1", "2", "3"]
        for (option, text) in [("--channels", "-1"), ("--asics", "-3")] {
            let said = message(submit + [option, text])
            #expect(said.contains(option) && said.contains("'\(text)'") && !said.contains("Missing value"), "\(said)")
        }
        let limit = message(["requests", "--limit", "-1"])
        #expect(limit.contains("--limit must be at least 1, got -1"), "\(limit)")
    }

    @Test("array_throttle takes N and the guide's %N; other text is refused")
    func arrayThrottle() throws {
        for text in ["4", "%4"] {
            let configuration = try Configuration.defaults.applying(overrides: ["process.array_throttle=\(text)"])
            #expect(configuration.resources(for: .process).arrayThrottle == 4, "\(text)")
        }
        #expect(throws: ConfigurationError.self) { try Configuration.defaults.applying(overrides: ["process.array_throttle=%x"]) }
    }
}
