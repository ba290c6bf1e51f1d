import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import Simulator
import Testing

/// A request that cannot succeed is refused by `submit` before a single job is queued: every
/// problem is named, the database holds no request, and no product directory is created.
@Suite("preflight: refused before anything is stored or submitted", .serialized)
struct PreflightTests {
    /// Submits and expects a refusal; checks nothing was stored or written; returns the message.
    func refusal(_ farm: Farm, _ options: SubmitOptions, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        var text = ""
        do {
            let outcome = try farm.submit(options)
            Issue.record("request \(outcome.request) was accepted", sourceLocation: sourceLocation)
        } catch let error as PlanError {
            text = error.description
        }
        #expect(try farm.store.latestRequest() == nil, "a refused request left a request in the database",
                sourceLocation: sourceLocation)
        #expect(try farm.store.requests().isEmpty, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: options.outputDir), "a refused request created its output",
                sourceLocation: sourceLocation)
        return text
    }

    func simulate(_ fixture: FarmFixture, _ configure: (inout XFELDarkSimulation.Options) -> Void) throws {
        var options = fixture.simulation.options
        configure(&options)
        try XFELDarkSimulation(options: options).write(to: fixture.inputDir)
    }

    @Test("a worker that does not exist is named with the settings that point to one")
    func missingWorker() throws {
        let fixture = try FarmFixture()
        let farm = try fixture.farm(["CALFARM_WORKER": fixture.dir.file("nowhere/calfarm-worker")])
        let text = try refusal(farm, fixture.options(output: "out"))
        #expect(text.contains(fixture.dir.file("nowhere/calfarm-worker")) && text.contains("does not exist"), "\(text)")
        #expect(text.contains("general.worker"), "\(text)")
    }

    @Test("a worker of another CalFarm version is refused with both versions")
    func otherVersion() throws {
        let fixture = try FarmFixture()
        let worker = fixture.dir.file("old-worker")
        let report = #"{"formatVersion":1,"workerVersion":"0.0.9","specFormatVersion":1,"capabilities":[],"files":[]}"#
        try "#!/bin/sh\ncat >/dev/null\necho '\(report)'\n".write(toFile: worker, atomically: true, encoding: .utf8)
        chmod(worker, 0o755)
        let text = try refusal(try fixture.farm(["CALFARM_WORKER": worker]), fixture.options(output: "out"))
        #expect(text.contains("0.0.9") && text.contains(CalFarmVersion.current) && text.contains(worker), "\(text)")
    }

    @Test("a configured detector that matches no source names the file and the sources found")
    func wrongDetector() throws {
        let fixture = try FarmFixture()  // MID_DET_AGIPD1M-1
        let text = try refusal(try fixture.farm(),
                               fixture.options(output: "out", overrides: ["general.detector_string=SPB_DET_AGIPD1M-1"]))
        #expect(text.contains("RAW-R0011-AGIPD00-S00000.h5") && text.contains("INSTRUMENT/SPB_DET_AGIPD1M-1/DET/0CH0:xtdf"),
                "\(text)")
        #expect(text.contains("found: MID_DET_AGIPD1M-1"), "\(text)")
    }

    @Test("two AGIPD detectors in one run are refused with both names and the option that picks one")
    func twoDetectors() throws {
        let fixture = try FarmFixture()
        try simulate(fixture) { $0.channels = [1]; $0.detectorString = "SPB_DET_AGIPD1M-1" }
        var options = fixture.options(output: "out")
        options.channels = [0, 1, 8]
        let text = try refusal(try fixture.farm(), options)
        #expect(text.contains("MID_DET_AGIPD1M-1 (runs 11, 12, 13; channels 0, 8)"), "\(text)")
        #expect(text.contains("SPB_DET_AGIPD1M-1 (runs 11, 12, 13; channels 1)"), "\(text)")
        #expect(text.contains("--detector"), "\(text)")
        // Naming one: the other's channel is refused, naming its file.
        options.overrides.append("general.detector_string=MID_DET_AGIPD1M-1")
        let named = try refusal(try fixture.farm(), options)
        #expect(named.contains("RAW-R0011-AGIPD01-S00000.h5") && named.contains("found: SPB_DET_AGIPD1M-1"), "\(named)")
    }

    @Test("a truncated sequence file (not the first of its run) is refused naming the file")
    func truncatedFile() throws {
        let fixture = try FarmFixture()
        let path = ProductPaths(inputDir: fixture.inputDir, outputDir: "", measurement: .dark)
            .rawFile(run: 12, channel: 8, sequence: 1)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 2)) == 0)
        let text = try refusal(try fixture.farm(), fixture.options(output: "out"))
        #expect(text.contains(path) && text.contains("truncated"), "\(text)")
    }

    @Test("image data of the wrong type is refused naming file and dataset")
    func wrongType() throws {
        let fixture = try FarmFixture()
        let path = ProductPaths(inputDir: fixture.inputDir, outputDir: "", measurement: .dark)
            .rawFile(run: 13, channel: 0, sequence: 0)
        let dataset = "INSTRUMENT/MID_DET_AGIPD1M-1/DET/0CH0:xtdf/image/data"
        try PythonScript.run("""
            import h5py, sys
            with h5py.File(sys.argv[1], 'r+') as f:
                shape = f[sys.argv[2]].shape
                del f[sys.argv[2]]
                f.create_dataset(sys.argv[2], shape, 'i2')
            """, [path, dataset])
        let text = try refusal(try fixture.farm(), fixture.options(output: "out"))
        #expect(text.contains(path) && text.contains(dataset) && text.contains("expected uint16"), "\(text)")
    }

    @Test("dark runs with different memory cells are refused with each run's count")
    func cellsDisagree() throws {
        let fixture = try FarmFixture()  // 3 cells
        try simulate(fixture) { $0.runs = [13]; $0.cells = 5 }
        let text = try refusal(try fixture.farm(), fixture.options(output: "out"))
        #expect(text.contains("run 11: 3, run 12: 3, run 13: 5"), "\(text)")
    }

    @Test("runs of different raw layouts are refused with each run's layout")
    func layoutsMixed() throws {
        let fixture = try FarmFixture()
        try simulate(fixture) { $0.runs = [12]; $0.layout = .y2017; $0.interleaved = true }
        let text = try refusal(try fixture.farm(), fixture.options(output: "out"))
        #expect(text.contains("mix raw layouts") && text.contains("run 11: 2018")
                && text.contains("run 12: 2017 (analog and digital as separate frames)"), "\(text)")
    }

    @Test("a measurement the facility does not take (XFEL drscs) is refused at plan time, naming why, and nothing is stored")
    func notAtFacility() throws {
        let fixture = try FarmFixture()
        var drscs = fixture.options(output: "out")
        (drscs.measurement, drscs.runs) = (.drscs, [11, 12, 13, 14])
        drscs.overrides.append("drscs.currents=itestc20")
        let farm = try fixture.farm()
        let text = try refusal(farm, drscs)
        #expect(text.contains("drscs cannot be planned at xfel") && text.contains("CFEL lab measurement"), "\(text)")
        #expect(try farm.store.requests().isEmpty)
    }

    @Test("an output directory that cannot be created is refused")
    func unwritableOutput() throws {
        let fixture = try FarmFixture()
        try "not a directory".write(toFile: fixture.dir.file("plain"), atomically: true, encoding: .utf8)
        let text = try refusal(try fixture.farm(), fixture.options(output: "plain/out"))
        #expect(text.contains("output directory is not writable"), "\(text)")
    }

    @Test("every problem at once: `calfarm submit --json` lists them and exits 2, storing nothing")
    func allProblemsAsJSON() throws {
        let fixture = try FarmFixture()
        let truncated = ProductPaths(inputDir: fixture.inputDir, outputDir: "", measurement: .dark)
            .rawFile(run: 11, channel: 0, sequence: 1)
        #expect(truncate(truncated, 1000) == 0)
        try "x".write(toFile: fixture.dir.file("plain"), atomically: true, encoding: .utf8)
        let database = fixture.dir.file("calfarm.sqlite")
        let run = try CalfarmProcess.run(
            ["submit", "--type", "dark", "--input-dir", fixture.inputDir, "--output-dir", fixture.dir.file("plain/out"),
             "--runs", "11", "12", "13", "--channels", "0,8", "--executor", "local", "--wait", "--db", database, "--json"],
            environment: ["CALFARM_HOME": fixture.dir.file("home"),
                          "CALFARM_WORKER": try BuiltProducts.executable("calfarm-worker")])
        #expect(run.status == 2, "\(run.stderr)")
        struct Refusal: Decodable { var error: String; var problems: [String] }
        let refusal = try JSONDecoder().decode(Refusal.self, from: Data(run.stdout.utf8))
        #expect(refusal.problems.count == 2, "\(refusal.problems)")
        #expect(refusal.problems.contains { $0.contains("output directory is not writable") })
        #expect(refusal.problems.contains { $0.contains(truncated) })
        #expect(run.stderr.contains("2 problems; nothing was stored or submitted"), "\(run.stderr)")
        let farm = try fixture.farm()
        #expect(try farm.store.requests().isEmpty)
    }
}
