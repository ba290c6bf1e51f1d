import CalFarmTestSupport
@testable import ControllerCommands
@testable import Farm
import Foundation
import Simulator
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

    @Test("compare-truth: a constants file libhdf5 cannot read exits 2; constants of another simulation say which truth it was")
    func compareTruthUnusableFiles() throws {
        let dir = try TemporaryDirectory("truth-unusable")
        var options = XFELDarkSimulation.Options()
        (options.channels, options.trains, options.cells) = ([0], 2, 4)
        let truth = try XFELDarkSimulation(options: options).write(to: dir.file("in"))
        try "not HDF5".write(toFile: dir.file("text.h5"), atomically: true, encoding: .utf8)
        let unreadable = try CalfarmProcess.run(["compare-truth", "--truth", truth, "--constants", dir.file("text.h5")])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("cannot compare"), "\(unreadable.status) \(unreadable.stderr)")

        // drspc-shaped constants (2 stages, 2 cells) against the dark truth (3 stages, 4 cells).
        try PythonScript.run("""
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], 'w') as f:
                for key, dtype in [('offset', 'i8'), ('gainlevel_mean', 'i8'), ('stddev', 'f8'), ('frame_count', 'u4')]:
                    f[f'channel00/{key}'] = np.zeros((2, 2, 128, 512), dtype)
                f['channel00/threshold'] = np.zeros((1, 2, 128, 512))
            """, [dir.file("drspc.h5")])
        let other = try CalfarmProcess.run(["compare-truth", "--truth", truth, "--constants", dir.file("drspc.h5")])
        #expect(other.status == 2 && other.stderr.contains("a dark simulation's"), "\(other.status) \(other.stderr)")
    }

    @Test("plan: no sbatch calls for the local executor; the original's count is for the channels planned, not requested")
    func planCounts() throws {
        let fixture = try FarmFixture(channels: [0, 8], trains: 2, cells: 2, sequences: 1)
        var options = fixture.options(output: "out", executor: .local)
        options.channels = [0, 8, 9]  // channel 9 has no files: a warning, not planned
        let summary = PlanSummary(try fixture.farm().plan(options)).render()
        #expect(summary.contains("sbatch calls: none (--executor local"), "\(summary)")
        #expect(summary.contains("C = 2,") && !summary.contains("C = 3"), "\(summary)")
        options.executor = .slurm
        #expect(!PlanSummary(try fixture.farm().plan(options)).render().contains("sbatch calls: none"))
    }
}
