import ArgumentParser
import Farm
import FarmContract
import Simulator

/// `calfarm compare-truth`: joined dark constants against the simulator's truth.
struct CompareTruthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-truth",
        abstract: "Compare joined dark, drspc or xray constants with a simulation's truth file.",
        discussion: """
            Per channel and gain stage: mean |offset - truth| and the fraction of pixels within \
            5 noise/sqrt(frames) + 1 ADU (need 99.9%); median stddev/noise against the median a \
            population standard deviation of that many frames has (within 0.05); mean |gain level - truth| \
            (at most 1 + 2 sigma_digital/sqrt(frames)). Exit status 0 when every channel agrees and none \
            is missing, 1 otherwise, 2 for unusable files. Without --constants, the joined file of \
            --request (default: the latest request in the state database) is compared. For a drspc \
            truth file: per gain stage, the fraction of fitted pixels whose slope, offset and gain level \
            lie within 6 sigma of the truth (need 99.9%). For an xray truth file: per channel, the \
            z-scores (photon_spacing - truth) / spacing_error of the converged fits (RMS within [0.9, 1.1], \
            |mean| < 0.05, none beyond 5.5) and no failed fit where both peaks should hold 50 frames.
            """)

    @Option(help: ArgumentHelp("truth.h5 written by `calfarm simulate`.", valueName: "file")) var truth: String
    @Option(help: ArgumentHelp("The joined AGIPD-orientation constants (…_joined_constants_agipd.h5).", valueName: "file"))
    var constants: String?
    @Option(help: ArgumentHelp("Compare this request's joined constants (default: the latest request).", valueName: "id"))
    var request: String?
    @Flag(help: "Accept masked pixels and channels without constants (e.g. a request for some ASICs only).")
    var allowMissing = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if constants != nil && request != nil { throw ValidationError("give --constants or --request, not both") }
    }

    func run() throws {
        try CommandFailure.run {
            do {
                try compare()
            } catch let error as TruthComparison.Error {
                guard case .shapeMismatch = error else { throw error }
                let kind = DrspcTruthComparison.isDrspcTruth(truth) ? "drspc" : XrayTruthComparison.isXrayTruth(truth) ? "xray" : "dark"
                throw ValidationError("\(error) — the truth file is a \(kind) simulation's: are the constants from a "
                    + "request on that simulated data (the same measurement, cells and runs)?")
            } catch let error where error is ExitCode || error is FarmError || error is StoreError {
                throw error
            } catch {
                // A file libhdf5 cannot read as expected is the user's to fix: exit 2, as the help says.
                throw ValidationError("cannot compare \(truth) with the constants: \(error)")
            }
        }
    }

    private func compare() throws {
        if DrspcTruthComparison.isDrspcTruth(truth) {
            let report = try DrspcTruthComparison(truthPath: truth, constantsPath: try constantsPath()).run()
            if output.json { try JSONOutput.print(report) } else { print(Self.render(report)) }
            if !report.agrees { throw ExitCode(CommandFailure.runtime) }
            return
        }
        if XrayTruthComparison.isXrayTruth(truth) {
            let report = try XrayTruthComparison(truthPath: truth, constantsPath: try constantsPath(), allowMissing: allowMissing).run()
            if output.json { try JSONOutput.print(report) } else { print(Self.render(report)) }
            if !report.agrees { throw ExitCode(CommandFailure.runtime) }
            return
        }
        let report = try TruthComparison(truthPath: truth, constantsPath: try constantsPath(), allowMissing: allowMissing).run()
        if output.json { try JSONOutput.print(report) } else { print(TruthComparisonTable(report: report).render()) }
        if !report.agrees { throw ExitCode(CommandFailure.runtime) }
    }

    /// The drspc table: per channel and gain stage, fits and how many agree with the truth.
    static func render(_ report: DrspcTruthComparison.Report) -> String {
        var table = TextTable(header: ["channel", "stage", "fitted", "flagged", "median |Δslope|", "slope ok", "offset ok",
                                       "gain ok", "result"], rightAligned: [2, 3, 4, 5, 6, 7])
        func percent(_ value: Double) -> String { String(format: "%.2f%%", 100 * value) }
        for channel in report.channels {
            for stage in channel.stages {
                table.append([String(format: "%02d", channel.channel), stage.stage, "\(stage.fitted)", "\(stage.flagged)",
                              String(format: "%.3f", stage.slopeMedianAbsDifference), percent(stage.slopeWithinFraction),
                              percent(stage.offsetWithinFraction), percent(stage.gainLevelWithinFraction),
                              stage.agrees ? "ok" : "DIFFERS"])
            }
        }
        var lines = ["truth      \(report.truth)", "constants  \(report.constants)", "", table.render()]
        if !report.absent.isEmpty { lines.append("channels without constants: \(report.absent)") }
        lines.append(report.agrees ? "result: \(Self.allAgree(report.channels.count))"
                                   : "result: the constants do not agree with the truth")
        return lines.joined(separator: "\n")
    }

    /// The xray table: per channel, fits, failures and the spacing's z-scores against the truth.
    static func render(_ report: XrayTruthComparison.Report) -> String {
        var table = TextTable(header: ["channel", "fitted", "failed", "failed ≥50/peak", "masked", "median |Δspacing|", "mean z",
                                       "RMS z", "max |z|", "result"], rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        for c in report.channels {
            table.append([String(format: "%02d", c.channel), "\(c.fitted)", "\(c.failed)", "\(c.failedWellPopulated)", "\(c.masked)",
                          String(format: "%.3f", c.spacingMedianAbsDifference), String(format: "%+.4f", c.zMean),
                          String(format: "%.4f", c.zRMS), String(format: "%.2f", c.zMaxAbs), c.agrees ? "ok" : "DIFFERS"])
        }
        var lines = ["truth      \(report.truth)", "constants  \(report.constants)", "", table.render()]
        if !report.absent.isEmpty { lines.append("channels without constants: \(report.absent)") }
        lines.append(report.agrees ? "result: \(Self.allAgree(report.channels.count))"
                                   : "result: the constants do not agree with the truth")
        return lines.joined(separator: "\n")
    }

    /// `--constants`, else the joined AGIPD file of the request.
    /// "the channel agrees with the truth" / "all 3 channels agree with the truth".
    static func allAgree(_ count: Int) -> String {
        count == 1 ? "the channel agrees with the truth" : "all \(count) channels agree with the truth"
    }

    private func constantsPath() throws -> String {
        if let constants { return constants }
        let farm = try database.openFarm()
        let found = try request.map(farm.store.request) ?? farm.store.latestRequest()
        guard let record = found else {
            throw request.map(FarmError.unknownRequest) ?? FarmError.invalidState("the state database \(farm.store.path) holds no request yet")
        }
        return try farm.joinedProduct(of: record)
    }
}
