import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// CFEL requests through the controller on the local executor, checked against a direct h5py +
/// numpy computation from the parts (dark, drspc) or the simulator's truth (xray), and the
/// faults of a lab directory refused before anything is stored.
@Suite("CFEL end to end", .serialized)
struct CFELEndToEndTests {
    @Test("dark: 3 parts, lost whole trains, lost single frames, pairs split between parts, uint32 sequence numbers, runs found by their names: equal to the direct computation over the complete samples")
    func darkEqualsDirectComputation() throws {
        let fixture = try CFELFixture("cfel-dark") { o in
            (o.runs, o.trains, o.cells, o.parts, o.sequenceType) = ([4, 5, 6], 12, 3, 3, .uint32)
            // Train 7 lost; frame 2 is train 0's cell-0 digital frame (its analog arrived), 15
            // train 2's cell-1 analog frame, 40 train 6's cell-1 digital frame.
            (o.lostTrains, o.lostFrames) = ([7], [2, 15, 40])
        }
        // Every part boundary splits an analog/digital pair (the case the sample's owner handles).
        for part in 0..<2 {
            let numbers = try (0...1).map { offset in
                let file = try File.open("\(fixture.rawDirectory)/M304_m3_dark_tint150ns_hg_00004_part0000\(part + offset).nxs")
                defer { try? file.close() }
                return try file.root.dataset("entry/instrument/detector/sequence_number").read(Int64.self)
            }
            #expect(numbers[0].last! % 2 == 1 && numbers[1].first! == numbers[0].last! + 1, "\(numbers)")
        }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.submitOptions(runs: nil))
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done", "\(status.failed)")
        // Gather per (run, part), process per chunk, one join; the runs came from hg, mg, lg.
        let jobs = try farm.store.jobs(request: outcome.request)
        #expect(jobs.filter { $0.step == .gather }.count == 9 && jobs.filter { $0.step == .join }.count == 1)
        #expect(try farm.store.request(outcome.request)?.runs == [4, 5, 6])
        try fixture.expectDarkEqualsDirect()

        // Pairs split between parts are complete samples; a pair missing one frame is not.
        let direct = try fixture.directComparison(joined: fixture.joined())
        #expect((direct["frames_per_cell"] as? [[Int]]) == Array(repeating: [10, 9, 11], count: 3), "\(direct)")
        let file = try File.open(fixture.joined())
        defer { try? file.close() }
        #expect(try file.root.children() == ["M304"])
        #expect(try file.root.dataset("M304/offset").shape == [3, 3, 128, 512])
        #expect(try file.root.dataset("M304/offset").elementTypeName == "int64")
        #expect(try file.root.group("M304/collection").readStrings("run_number") == ["r0004", "r0005", "r0006"])
        // A lost frame's warning reaches the user.
        let results = try farm.store.jobs(request: outcome.request).filter { $0.step == .gather }.compactMap(\.resultPath)
        let warnings = try results.flatMap { try ContractJSON.read(JobResult.self, at: $0).warnings }
        #expect(warnings.contains { $0.contains("only an analog or only a digital frame") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("frames lost") }, "\(warnings)")
    }

    @Test("runs found from their names equal the same runs given by number; fallback names without parts work")
    func discoveredEqualsGivenAndFallbackNames() throws {
        let fixture = try CFELFixture("cfel-names") { o in
            (o.runs, o.trains, o.cells, o.parts, o.runNames) = ([21, 9, 30], 5, 2, 0, ["hg", "mg", "lg"])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.rawDirectory).sorted()
        #expect(names == ["M304_m3_dark_tint150ns_hg_00021.nxs", "M304_m3_dark_tint150ns_lg_00030.nxs",
                          "M304_m3_dark_tint150ns_mg_00009.nxs"])
        let farm = try fixture.farm()
        let found = try farm.submit(fixture.submitOptions(runs: nil, output: fixture.dir.file("found")))
        let given = try farm.submit(fixture.submitOptions(runs: [21, 9, 30], output: fixture.dir.file("given")))
        for outcome in [found, given] { #expect(try farm.status(request: outcome.request).state == "done") }
        let a = try File.open(fixture.joined(output: fixture.dir.file("found")))
        let b = try File.open(fixture.joined(output: fixture.dir.file("given")))
        defer { try? a.close(); try? b.close() }
        for key in ["offset", "gainlevel_mean", "threshold", "frame_count"] {
            #expect(try a.root.dataset("M304/\(key)").read(Double.self) == b.root.dataset("M304/\(key)").read(Double.self), "\(key)")
        }
        try fixture.expectDarkEqualsDirect(output: fixture.dir.file("given"))

        // Runs given out of their names' order are refused, naming the run and the name.
        #expect(throws: PlanError.self) { try farm.plan(fixture.submitOptions(runs: [9, 21, 30])) }
        do {
            _ = try farm.plan(fixture.submitOptions(runs: [9, 21, 30]))
        } catch {
            #expect("\(error)".contains("run 9 is named 'mg'"), "\(error)")
        }
    }

    @Test("drspc: 8 runs of 3 parts, lost trains and frames, int64 sequence numbers: slopes equal the direct computation to 1e-9")
    func drspcEqualsDirectComputation() throws {
        let fixture = try CFELFixture("cfel-drspc") { o in
            (o.measurement, o.runs, o.trains, o.cells, o.parts) = (.drspc, Array(11...18), 20, 2, 3)
            (o.lostTrains, o.lostFrames, o.sequenceType) = ([4], [7, 40, 61], .int64)
        }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.submitOptions(runs: nil, overrides: ["drspc.high_gain_window=2,8",
                                                                                    "drspc.medium_gain_window=11,19"]))
        #expect(try farm.status(request: outcome.request).state == "done")
        let differences = try fixture.directComparison(joined: fixture.joined(), windows: ["2,8", "11,19"])
        #expect((differences["slope_max_relative"] as? Double ?? 1) < 1e-9, "\(differences)")
        for key in ["offset", "gainlevel_mean"] { #expect(differences[key] as? Int == 0, "\(key): \(differences)") }
        #expect(differences["threshold"] as? Double == 0, "\(differences)")
        let truth = try DrspcTruthComparison(truthPath: CFELSimulation.truthPath(inputDir: fixture.inputDir),
                                             constantsPath: fixture.joined()).run()
        #expect(truth.agrees, "\(truth)")
    }

    @Test("xray (Cu, one cell, 4 parts, int32 sequence numbers, lost frames): the z-scores meet the xray criteria")
    func xrayMeetsCriteria() throws {
        let fixture = try CFELFixture("cfel-xray") { o in
            (o.measurement, o.runs, o.trains, o.cells, o.parts, o.spec) = (.xray, [3], 900, 1, 4, "Cu")
            (o.lostTrains, o.lostFrames, o.sequenceType, o.seed) = ([10, 500], [101, 334], .int32, 7)
        }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.submitOptions(runs: nil))
        #expect(try farm.status(request: outcome.request).state == "done")
        let report = try XrayTruthComparison(truthPath: CFELSimulation.truthPath(inputDir: fixture.inputDir),
                                             constantsPath: fixture.joined()).run()
        let channel = try #require(report.channels.first)
        #expect(channel.fitted == 128 * 512 && channel.failed == 0, "\(channel)")
        #expect(XrayTruthComparison.rmsRange.contains(channel.zRMS) && abs(channel.zMean) < 0.05 && channel.beyondLimit == 0,
                "\(channel)")
        // 900 trains, 2 lost, and one analog and one digital frame lost: 896 samples per pixel.
        let file = try File.open(fixture.joined())
        defer { try? file.close() }
        #expect(Set(try file.root.dataset("M304/frame_count").read(UInt32.self)) == [896])
    }

    /// The problems `plan` refuses with, as text.
    static func refusal(_ farm: Farm, _ options: SubmitOptions) -> String {
        do {
            _ = try farm.plan(options)
            return "planned"
        } catch {
            return "\(error)"
        }
    }

    @Test("a part listed twice, a gap beyond the run, mixed positions and a frame count that does not fit the cells are refused before anything is stored, naming the file")
    func layoutFaultsRefused() throws {
        let fixture = try CFELFixture("cfel-faults") { o in (o.runs, o.trains, o.cells, o.parts) = ([1, 2, 3], 4, 2, 2) }
        let farm = try fixture.farm()
        let raw = fixture.rawDirectory
        let part0 = "\(raw)/M304_m3_dark_tint150ns_hg_00001_part00000.nxs"
        let manager = FileManager.default

        // A part listed twice: the same frames under a third part number.
        let twice = "\(raw)/M304_m3_dark_tint150ns_hg_00001_part00002.nxs"
        try manager.copyItem(atPath: part0, toPath: twice)
        var text = Self.refusal(farm, fixture.submitOptions(runs: nil))
        #expect(text.contains("M304_m3_dark_tint150ns_hg_00001_part00002.nxs") && text.contains("listed twice"), "\(text)")
        try manager.removeItem(atPath: twice)

        // Another position's file of the same run.
        let other = "\(raw)/M304_m1_dark_tint150ns_mg_00002_part00000.nxs"
        try manager.copyItem(atPath: "\(raw)/M304_m3_dark_tint150ns_mg_00002_part00000.nxs", toPath: other)
        text = Self.refusal(farm, fixture.submitOptions(runs: [1, 2, 3]))
        #expect(text.contains("several positions (m1, m3)") && text.contains("M304_m1_dark_tint150ns_mg_00002_part00000.nxs"), "\(text)")
        try manager.removeItem(atPath: other)

        // Cells that do not divide the run's frames (16 frames: not trains of 3 cells).
        text = Self.refusal(farm, fixture.submitOptions(runs: nil, overrides: ["general.cells=3"]))
        #expect(text.contains("not a whole number of trains of 3 cells") && text.contains("_hg_00001_part00000.nxs"), "\(text)")

        // A sequence number beyond the run's frames.
        let lg = "\(raw)/M304_m3_dark_tint150ns_lg_00003_part00001.nxs"
        try PythonScript.run("""
            import h5py, sys
            with h5py.File(sys.argv[1], 'r+') as f:
                s = f['entry/instrument/detector/sequence_number']
                s[-1] = 99
            """, [lg])
        text = Self.refusal(farm, fixture.submitOptions(runs: nil))
        #expect(text.contains("_lg_00003_part00001.nxs") && text.contains("beyond the 16 frames of the run"), "\(text)")
        #expect(try farm.store.latestRequest() == nil)
    }
}
