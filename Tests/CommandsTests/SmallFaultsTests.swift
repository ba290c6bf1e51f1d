import CalFarmTestSupport
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
}
