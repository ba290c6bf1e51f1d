import ArgumentParser
import Simulator

/// `calfarm compare-truth`: joined dark constants against the simulator's truth.
struct CompareTruthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-truth",
        abstract: "Compare joined dark constants with a simulation's truth file.",
        discussion: """
            Per channel and gain stage: mean |offset - truth| and the fraction of pixels within \
            5 noise/sqrt(frames) + 1 ADU (need 99.9%); median stddev/noise against the median a \
            population standard deviation of that many frames has (within 0.05); mean |gain level - truth| \
            (at most 1 + 2 sigma_digital/sqrt(frames)). Exit status 0 when every channel agrees and none \
            is missing, 1 otherwise, 2 for unusable files.
            """)

    @Option(help: ArgumentHelp("truth.h5 written by `calfarm simulate`.", valueName: "file")) var truth: String
    @Option(help: ArgumentHelp("The joined AGIPD-orientation constants (…_joined_constants_agipd.h5).", valueName: "file"))
    var constants: String
    @Flag(help: "Accept masked pixels and channels without constants (e.g. a request for some ASICs only).")
    var allowMissing = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try CommandFailure.run {
            let report = try TruthComparison(truthPath: truth, constantsPath: constants, allowMissing: allowMissing).run()
            if output.json { try JSONOutput.print(report) } else { print(TruthComparisonTable(report: report).render()) }
            if !report.agrees { throw ExitCode(CommandFailure.runtime) }
        }
    }
}
