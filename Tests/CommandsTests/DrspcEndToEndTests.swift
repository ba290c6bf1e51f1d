import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import Simulator
import Testing

/// A drspc request through the controller: planned, checked, run and joined like a dark.
@Suite("drspc end to end", .serialized)
struct DrspcEndToEndTests {
    @Test("a drspc request on the local executor completes; a failed unit resumes to the same constants")
    func localWithResume() throws {
        let fixture = try DrspcFixture()
        let farm = try fixture.farm(["CALFARM_FAULT": "process.ch14.a01-08=fail"])
        let outcome = try farm.submit(fixture.options(executor: .local))
        #expect(outcome.jobs == 8 + 8 * 2 * 2 + 2 * 2 + 2)
        let failed = try farm.status(request: outcome.request)
        #expect(failed.failed.map(\.job) == ["process.ch14.a01-08"])
        let resumed = try fixture.farm().resume(request: outcome.request)
        #expect(resumed.resubmitted == ["process.ch14.a01-08", "join", "join.xfel"])
        let status = try fixture.farm().status(request: outcome.request)
        #expect(status.state == "done" && status.missing.isEmpty, "\(status.failed)")
        try fixture.expectConstants()

        // compare-truth covers drspc, and fails when the slopes are off.
        let truth = XFELDrspcSimulation.truthPath(inputDir: fixture.inputDir)
        let agree = try CalfarmProcess.run(["compare-truth", "--truth", truth, "--constants", fixture.joined])
        #expect(agree.status == 0 && agree.stdout.contains("all 2 channels agree"), "\(agree.stdout)\(agree.stderr)")
        try PythonScript.run("""
            import h5py, sys
            with h5py.File(sys.argv[1], 'r+') as f:
                f['channel14/slope'][0] = f['channel14/slope'][0] + 5
            """, [fixture.joined])
        let differ = try CalfarmProcess.run(["compare-truth", "--truth", truth, "--constants", fixture.joined, "--json"])
        #expect(differ.status == 1, "\(differ.stdout)")
        #expect(differ.stdout.contains("\"agrees\" : false"), "\(differ.stdout)")
    }

    @Test("drspc fit windows that are not [first, end) pairs are refused at plan time")
    func badWindows() throws {
        let fixture = try DrspcFixture()
        var options = fixture.options(executor: .local)
        options.overrides.append("drspc.medium_gain_window=5-9")
        #expect(throws: ConfigurationError.self) { try fixture.farm().submit(options) }
        #expect(try fixture.farm().store.requests().isEmpty)
    }
}
