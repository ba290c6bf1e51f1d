import AGIPD
import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import HDF5
import Simulator
import Testing

/// drscs at CFEL (issue 12): three currents through gather, process per current, merge per ASIC
/// chunk and join, on the local executor, against the simulator's truth.
@Suite("drscs end to end", .serialized)
struct DrscsEndToEndTests {
    @Test("three currents: slopes per stage within their statistical error, thresholds within tolerance, error codes and the merge's choice as the truth says, including where configuration order would choose wrong")
    func threeCurrentsAgainstTruth() throws {
        let fixture = try DrscsFixture("drscs-e2e")
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.submitOptions())
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done", "\(status.failed)")
        // Runs found per current from col15…col48; gather per (run, part), process per (current,
        // chunk), merge per chunk, one join.
        #expect(try farm.store.request(outcome.request)?.runs == fixture.options.runs)
        let jobs = try farm.store.jobs(request: outcome.request)
        let count = { (step: Step) in jobs.filter { $0.step == step }.count }
        #expect(count(.gather) == 12 && count(.process) == 6 && count(.merge) == 2 && count(.join) == 1)
        #expect(Set(jobs.filter { $0.step == .process }.map(\.id))
                == ["process.itestc20.a01", "process.itestc20.a09", "process.itestc80.a01", "process.itestc80.a09",
                    "process.itestc150.a01", "process.itestc150.a09"])

        // Each current's error codes are those the truth predicts (never reaching low gain at 20,
        // a glitch at 80, a one-frame high-gain interval at 150).
        let truth = try File.open(CFELSimulation.truthPath(inputDir: fixture.inputDir))
        let truthErrors = try truth.root.dataset("error_code").read(Int16.self)
        try truth.close()
        for (index, expectedCode) in [(0, Int16(3)), (1, 2), (2, 5)] {
            for asic in DrscsFixture.asics {
                let file = try File.open(fixture.processed(current: index, asic: asic))
                let codes = try file.root.dataset("error_code").read(Int16.self)
                try file.close()
                // The product's (cell, row, column) order is the ASIC's module indices, cell by cell.
                let indices = try #require(ASIC(asic)).agipdIndices(cells: fixture.options.cells)
                let offset = index * fixture.options.cells * ModuleGeometry.pixels
                let agree = zip(codes, indices).filter { $0 == truthErrors[offset + $1] }.count
                let planted = indices.filter { truthErrors[offset + $0] == expectedCode }.count
                #expect(agree == fixture.options.cells * 4096, "current \(index) ASIC \(asic): \(agree) agree")
                #expect(planted > 100, "current \(index) ASIC \(asic): only \(planted) planted failures")
            }
        }

        let comparison = try fixture.compare(joined: fixture.joined())
        for (stage, z) in comparison.z.enumerated() {
            let rms = DrscsFixture.rms(z)
            #expect(z.count > 10_000 && (0.9...1.1).contains(rms), "stage \(stage): \(z.count) fits, z RMS \(rms)")
            #expect(z.allSatisfy { abs($0) < 5.5 }, "stage \(stage): max |z| \(z.map(abs).max() ?? 0)")
        }
        for (k, z) in comparison.thresholdZ.enumerated() {
            #expect(DrscsFixture.rms(z) < 1.5 && z.allSatisfy { abs($0) < 6 }, "threshold \(k): RMS \(DrscsFixture.rms(z)), max \(z.map(abs).max() ?? 0)")
        }
        #expect(comparison.chosenAgreement >= 0.999, "chosen_current agrees for \(comparison.chosenAgreement)")
        #expect(comparison.orderMatters > 50 && comparison.orderMattersCorrect == comparison.orderMatters,
                "\(comparison.orderMattersCorrect) of \(comparison.orderMatters) entries where configuration order would choose another current")
        let file = try File.open(fixture.joined())
        defer { try? file.close() }
        #expect(try file.root.children() == [fixture.options.module])
        #expect(try file.root.dataset("M304/slope").shape == [3, 2, 128, 512])
        #expect(try file.root.dataset("M304/chosen_current").elementTypeName == "int16")
    }

    @Test("one current's failing process unit: merge uses the other two and says so; resume brings the third back")
    func failingCurrentLeavesTheOthers() throws {
        let fixture = try DrscsFixture("drscs-fail") { $0.asics = [1] }
        let farm = try fixture.farm(["CALFARM_FAULT": "process.itestc80.a01=fail"])
        var options = fixture.submitOptions()
        options.overrides += ["general.asics=[1]", "process.n_jobs=1"]
        let outcome = try farm.submit(options)
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "partial")
        #expect(status.failed.map(\.job) == ["process.itestc80.a01"])
        let merge = try #require(try farm.store.job(request: outcome.request, id: "merge.a01"))
        #expect(merge.state == .done)
        let warnings = status.warnings.flatMap(\.examples)
        #expect(warnings.contains { $0.hasPrefix("merge.a01:") && $0.contains("no product of current itestc80") }, "\(warnings)")
        let joined = try File.open(fixture.joined())
        let chosen = try joined.root.dataset("M304/chosen_current").read(Int16.self)
        try joined.close()
        #expect(!chosen.contains(80) && chosen.contains(20) && chosen.contains(150))

        // Resume reruns the failed unit, the merge and the join; 80 is chosen again where best.
        let clean = try fixture.dir.farm(database: "calfarm.sqlite")
        let resumed = try clean.resume(request: outcome.request)
        #expect(resumed.resubmitted == ["process.itestc80.a01", "merge.a01", "join"])
        #expect(try clean.status(request: outcome.request).state == "done")
        let again = try File.open(fixture.joined())
        defer { try? again.close() }
        #expect(try again.root.dataset("M304/chosen_current").read(Int16.self).filter { $0 == 80 }.count > 6000)
    }

    @Test("an XFEL drscs request is refused at plan time with the reason, before its run count")
    func xfelRefused() throws {
        let dir = try TemporaryDirectory("drscs-xfel")
        let farm = try dir.farm()
        let options = SubmitOptions(measurement: .drscs, inputDir: dir.path, outputDir: dir.file("out"), runs: [1, 2, 3],
                                    channels: [0], overrides: [], executor: .local)
        #expect { try farm.plan(options) } throws: { error in
            "\(error)".contains("drscs cannot be planned at xfel") && "\(error)".contains("CFEL lab measurement")
        }
    }
}
