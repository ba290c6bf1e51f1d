import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// xray requests through the controller on the local executor, against the simulator's truth
/// and an independent numpy implementation of the same likelihood fit.
@Suite("xray end to end", .serialized)
struct XrayEndToEndTests {
    static let detector = "SPB_DET_AGIPD1M-1"

    struct Fixture {
        let dir: TemporaryDirectory
        let simulation: XFELXraySimulation
        var inputDir: String { dir.file("in") }
        var outputDir: String { dir.file("out") }

        init(_ configure: (inout XFELXraySimulation.Options) -> Void) throws {
            dir = try TemporaryDirectory("xray-e2e")
            var options = XFELXraySimulation.Options()
            options.detectorString = XrayEndToEndTests.detector
            configure(&options)
            simulation = XFELXraySimulation(options: options)
            try simulation.write(to: dir.file("in"))
        }

        func farm() throws -> Farm {
            try Farm(databasePath: dir.file("calfarm.sqlite"), environment: [
                "HOME": dir.path, "CALFARM_HOME": dir.file("home"),
                "CALFARM_WORKER": try BuiltProducts.executable("calfarm-worker"),
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        }

        func submit(overrides: [String] = []) throws -> (outcome: SubmitOutcome, farm: Farm) {
            let o = simulation.options
            let farm = try farm()
            let options = SubmitOptions(measurement: .xray, inputDir: inputDir, outputDir: outputDir, runs: o.runs,
                                        channels: o.channels, overrides: ["process.n_jobs=2", "local.workers=2",
                                                                          "xray.element=\(o.element)"] + overrides,
                                        executor: .local)
            return (try farm.submit(options), farm)
        }

        var joined: String {
            ProductPaths(inputDir: inputDir, outputDir: outputDir, measurement: .xray).joinedAGIPD(runs: simulation.options.runs)
        }
    }

    @Test("Cu (narrow) and Mo (broad) peaks, both wings, lost and outlier trains, shuffled cells: the spacing's z-scores against the truth have RMS within [0.9, 1.1], |mean| < 0.05, none beyond 5.5, and no fit fails",
          arguments: ["Cu", "Mo"])
    func statisticsAgainstTruth(element: String) throws {
        let fixture = try Fixture { o in
            (o.element, o.runs, o.channels, o.trains, o.cells, o.sequences) = (element, [7], [3, 12], 520, 2, 2)
            (o.lostTrains, o.outlierTrains, o.shuffleCells, o.seed) = ([4, 300], [77], true, element == "Cu" ? 11 : 12)
        }
        let (outcome, farm) = try fixture.submit()
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done", "\(status.failed)")

        let report = try XrayTruthComparison(truthPath: XFELXraySimulation.truthPath(inputDir: fixture.inputDir),
                                             constantsPath: fixture.joined).run()
        #expect(report.channels.map(\.channel) == [3, 12] && report.absent.isEmpty)
        for channel in report.channels {
            #expect(channel.fitted == 2 * 128 * 512 && channel.failed == 0, "\(channel)")
            #expect(XrayTruthComparison.rmsRange.contains(channel.zRMS), "channel \(channel.channel): RMS z \(channel.zRMS)")
            #expect(abs(channel.zMean) < 0.05, "channel \(channel.channel): mean z \(channel.zMean)")
            #expect(channel.beyondLimit == 0 && channel.zMaxAbs < 5.5, "channel \(channel.channel): max |z| \(channel.zMaxAbs)")
        }
        #expect(report.agrees)

        // Every frame but the lost and the outlier trains' is in the fit, and gain_per_kev is the
        // spacing over the line energy.
        let file = try File.open(fixture.joined)
        defer { try? file.close() }
        for channel in ["channel03", "channel12"] {
            let frames = try file.root.dataset("\(channel)/frame_count").read(UInt32.self)
            #expect(frames.allSatisfy { $0 == 520 - 3 }, "\(channel): frame counts \(Set(frames))")
            let spacing = try file.root.dataset("\(channel)/photon_spacing").read(Double.self)
            let gain = try file.root.dataset("\(channel)/gain_per_kev").read(Double.self)
            let energy = fixture.simulation.energyKeV
            #expect(zip(spacing, gain).allSatisfy { abs($0 / energy - $1) <= 1e-12 * abs($1) })
            #expect(try file.root.dataset("\(channel)/peak_mean").shape == [2, 2, 128, 512])
        }
    }

    @Test("a multi-run request equals numpy's fit of the runs' frames concatenated")
    func multiRunEqualsConcatenation() throws {
        let fixture = try Fixture { o in
            (o.runs, o.channels, o.trains, o.cells, o.seed) = ([21, 22], [9], 160, 2, 5)
        }
        let (outcome, farm) = try fixture.submit()
        #expect(try farm.status(request: outcome.request).state == "done")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../benchmarks/xray_numpy.py").standardized.path
        // ASIC 2 and part of ASIC 11, whatever the orientation: rows 0–63 and 100–127 of columns 64–127.
        for region in ["0:64,64:128", "100:128,64:128"] {
            let run = try ChildProcess.run("python3", [script, fixture.inputDir, "9", Self.detector, fixture.dir.file("numpy.h5"),
                                                       "--runs", "21", "22", "--cells", "2", "--compare", fixture.joined,
                                                       "--region", region],
                                           environment: ChildProcess.baseEnvironment())
            #expect(run.status == 0, "\(run.stderr)")
            let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let differences = try #require(result?["differences"] as? [String: Any], "\(run.stdout)")
            #expect(differences["fit_status"] as? Int == 0 && differences["frame_count"] as? Int == 0, "\(differences)")
            #expect((differences["compared"] as? Int ?? 0) > 1_000, "\(differences)")
            #expect((differences["photon_spacing_max_relative"] as? Double ?? 1) < 1e-9, "\(differences)")
            #expect((differences["spacing_error_max_relative"] as? Double ?? 1) < 1e-8, "\(differences)")
        }
        // 320 frames per pixel and cell: the two runs are one sample.
        let file = try File.open(fixture.joined)
        defer { try? file.close() }
        #expect(Set(try file.root.dataset("channel09/frame_count").read(UInt32.self)) == [320])
    }

    @Test("too few frames: every fit is flagged 1 and NaN, the unit reports it, and compare-truth disagrees")
    func tooFewFrames() throws {
        let fixture = try Fixture { o in (o.runs, o.channels, o.trains, o.cells) = ([3], [0], 30, 1) }
        let (outcome, farm) = try fixture.submit()
        #expect(try farm.status(request: outcome.request).state == "done")
        let file = try File.open(fixture.joined)
        defer { try? file.close() }
        #expect(Set(try file.root.dataset("channel00/fit_status").read(UInt8.self)) == [1])
        #expect(try file.root.dataset("channel00/photon_spacing").read(Double.self).allSatisfy(\.isNaN))
        let compare = try CalfarmProcess.run(["compare-truth", "--truth", XFELXraySimulation.truthPath(inputDir: fixture.inputDir),
                                              "--constants", fixture.joined])
        #expect(compare.status == 1 && compare.stdout.contains("DIFFERS"), "\(compare.stdout)\(compare.stderr)")
    }

    @Test("a request for some ASICs: compare-truth counts the pixels without constants and agrees only with --allow-missing")
    func someAsics() throws {
        let fixture = try Fixture { o in (o.runs, o.channels, o.trains, o.cells, o.seed) = ([4], [10], 400, 1, 21) }
        let o = fixture.simulation.options
        let farm = try fixture.farm()
        let outcome = try farm.submit(SubmitOptions(measurement: .xray, inputDir: fixture.inputDir, outputDir: fixture.outputDir,
                                                    runs: o.runs, channels: o.channels, asics: [3, 14],
                                                    overrides: ["local.workers=2"], executor: .local))
        #expect(try farm.status(request: outcome.request).state == "done")
        let truth = XFELXraySimulation.truthPath(inputDir: fixture.inputDir)
        let strict = try XrayTruthComparison(truthPath: truth, constantsPath: fixture.joined).run()
        #expect(strict.channels.first?.masked == 14 * 4096 && strict.channels.first?.fitted == 2 * 4096 && !strict.agrees,
                "\(strict)")
        let lenient = try CalfarmProcess.run(["compare-truth", "--truth", truth, "--constants", fixture.joined, "--allow-missing"])
        #expect(lenient.status == 0 && lenient.stdout.contains("the channel agrees with the truth"), "\(lenient.stdout)\(lenient.stderr)")
    }

    @Test("an unknown element is refused before anything is recorded")
    func unknownElement() throws {
        let fixture = try Fixture { o in (o.runs, o.channels, o.trains, o.cells) = ([3], [0], 2, 1) }
        #expect(throws: ConfigurationError.self) { try fixture.submit(overrides: ["xray.element=Fe"]) }
        #expect(try fixture.farm().store.requests().isEmpty)
    }
}
