import CalFarmTestSupport
import Foundation
import Testing

/// The way a new user meets CalFarm: installed with deploy/install.sh, on PATH, run from their
/// own directory with relative paths (an installed `calfarm` once sent every job to
/// `<cwd>/calfarm-worker`).
@Suite("installed calfarm, through PATH, from another directory")
struct InstalledUseTests {
    @Test("simulate, submit --wait on the local executor and compare-truth, all through PATH")
    func localThroughPath() throws {
        let installed = try InstalledCalFarm()
        try InstalledDark.run(installed, executor: "local")
    }
}

/// The steps both installed-use tests (local and SLURM) take.
enum InstalledDark {
    static func run(_ installed: InstalledCalFarm, executor: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let simulate = try installed.calfarm(["simulate", "--output-dir", "in", "--runs", "1", "2", "3", "--channels", "0,8",
                                              "--trains", "4", "--cells", "2", "--sequences", "2",
                                              "--detector-string", "SPB_DET_AGIPD1M-1"])
        try #require(simulate.status == 0, "\(simulate.stderr)", sourceLocation: sourceLocation)
        let request = ["--type", "dark", "--input-dir", "in", "--output-dir", "out", "--runs", "1", "2", "3",
                       "--channels", "0,8", "--executor", executor, "--db", "calfarm.sqlite", "--set", "process.n_jobs=2"]
        // The scripts name the installed worker by its absolute path.
        let plan = try installed.calfarm(["plan"] + request)
        #expect(plan.status == 0, "\(plan.stderr)", sourceLocation: sourceLocation)
        #expect(plan.stdout.contains("exec \(installed.prefix)/bin/calfarm-worker run"), "\(plan.stdout.suffix(800))",
                sourceLocation: sourceLocation)
        #expect(plan.stdout.contains("detector SPB_DET_AGIPD1M-1"), sourceLocation: sourceLocation)
        let submit = try installed.calfarm(["submit"] + request + ["--wait"])
        #expect(submit.status == 0, "\(submit.stdout)\n\(submit.stderr)", sourceLocation: sourceLocation)
        let compare = try installed.calfarm(["compare-truth", "--truth", "in/truth.h5", "--db", "calfarm.sqlite"])
        #expect(compare.status == 0, "\(compare.stdout)\n\(compare.stderr)", sourceLocation: sourceLocation)
        #expect(compare.stdout.contains("all 2 channels agree with the truth"), "\(compare.stdout)", sourceLocation: sourceLocation)
    }
}
