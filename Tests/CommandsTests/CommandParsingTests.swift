import ArgumentParser
import Farm
import FarmContract
import Foundation
import Testing
@testable import ControllerCommands

/// Parses `arguments` as `calfarm …` and returns the subcommand, or fails the test.
private func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type) throws -> Command {
    let parsed = try CalFarmCommand.parseAsRoot(arguments)
    return try #require(parsed as? Command, "parsed \(Swift.type(of: parsed)), expected \(Command.self)")
}

/// The message `calfarm` prints for arguments that do not parse (nil if they parse).
private func parseError(_ arguments: [String]) -> String? {
    do {
        _ = try CalFarmCommand.parseAsRoot(arguments)
        return nil
    } catch {
        return CalFarmCommand.message(for: error)
    }
}

private let darkRequest = ["--type", "dark", "--input-dir", "in", "--output-dir", "out"]

@Suite("calfarm option parsing")
struct CommandParsingTests {
    @Test("submit --executor local without --wait is refused, naming --wait; with --wait or --dry-run it parses")
    func localNeedsWait() {
        let local = ["submit"] + darkRequest + ["--runs", "1", "2", "3", "--executor", "local"]
        let message = parseError(local)
        #expect(message?.contains("add --wait") == true, "\(message ?? "parsed")")
        #expect(parseError(local + ["--wait"]) == nil && parseError(local + ["--dry-run"]) == nil)
    }

    @Test("submit maps every option onto SubmitOptions, keeping --set order and expanding ranges")
    func submitOptions() throws {
        let command = try parse(["submit"] + darkRequest + [
            "--runs", "819", "820", "821", "--run-type", "process", "--channels", "0-3,8", "--asics", "1-4,9",
            "--config", "site.yaml", "--set", "process.n_jobs=4", "--set", "general.partition=upex",
            "--executor", "local", "--wait", "--json", "--db", "state.sqlite"], as: SubmitCommand.self)

        let options = command.request.submitOptions
        #expect(options.facility == .xfel)
        #expect(options.measurement == .dark)
        #expect(options.inputDir == "in" && options.outputDir == "out")
        #expect(options.runs == [819, 820, 821])
        #expect(options.runType == .process)
        #expect(options.channels == [0, 1, 2, 3, 8])
        #expect(options.asics == [1, 2, 3, 4, 9])
        #expect(options.configFile == "site.yaml")
        #expect(options.overrides == ["process.n_jobs=4", "general.partition=upex"])
        #expect(options.executor == .local)
        #expect(command.output.json)
        #expect(command.database.resolvedPath(environment: [:]) == "state.sqlite")
        #expect(!command.dryRun && command.wait)
    }

    @Test("submit leaves runs, channels and ASICs to the configuration when not given")
    func submitDefaults() throws {
        let options = try parse(["submit"] + darkRequest, as: SubmitCommand.self).request.submitOptions
        #expect(options.runs == nil && options.channels == nil && options.asics == nil)
        #expect(options.runType == .all && options.executor == .slurm && options.overrides.isEmpty)
    }

    @Test("--cfel with --module and --temperature plans a CFEL request")
    func cfel() throws {
        let options = try parse(["plan", "--type", "drscs", "--input-dir", "in", "--output-dir", "out", "--cfel",
                                 "--module", "M304", "--temperature", "temperature_m20C"], as: PlanCommand.self)
            .request.submitOptions
        #expect(options.facility == .cfel)
        #expect(options.module == "M304" && options.temperature == "temperature_m20C")
    }

    @Test("plan takes the same options as submit")
    func planOptions() throws {
        let command = try parse(["plan"] + darkRequest + ["--runs", "1", "2", "3", "--channels", "0,8", "--set", "a.b=c"],
                                as: PlanCommand.self)
        #expect(command.request.submitOptions.channels == [0, 8])
        #expect(command.request.submitOptions.overrides == ["a.b=c"])
    }

    @Test("missing, contradictory and malformed submit options are rejected with the option named",
          arguments: [
              (["submit", "--type", "dark", "--input-dir", "in"], "--output-dir"),
              (["submit", "--input-dir", "in", "--output-dir", "out"], "--type"),
              (["submit", "--type", "darkness", "--input-dir", "in", "--output-dir", "out"], "--type"),
              (["submit"] + darkRequest + ["--channels", "0-16"], "--channels"),
              (["submit"] + darkRequest + ["--channels", "3,3"], "--channels"),
              (["submit"] + darkRequest + ["--asics", "0-4"], "--asics"),
              (["submit"] + darkRequest + ["--run-type", "everything"], "--run-type"),
              (["submit"] + darkRequest + ["--executor", "pbs"], "--executor"),
              (["submit"] + darkRequest + ["--set", "n_jobs"], "--set"),
              (["submit"] + darkRequest + ["--cfel", "--temperature", "t"], "--module"),
              (["submit"] + darkRequest + ["--cfel", "--module", "M304"], "--temperature"),
              (["submit"] + darkRequest + ["--module", "M304"], "--cfel"),
              (["submit"] + darkRequest + ["--cfel", "--module", "M", "--temperature", "t", "--channels", "0"], "--channels"),
              (["submit"] + darkRequest + ["--dry-run", "--wait"], "--dry-run"),
          ])
    func submitErrors(arguments: [String], option: String) {
        let message = parseError(arguments)
        #expect(message?.contains(option) == true, "\(arguments) gave \(message ?? "no error")")
    }

    @Test("status takes an optional request, --json, --watch and a polite --interval")
    func status() throws {
        let latest = try parse(["status"], as: StatusCommand.self)
        #expect(latest.request == nil && !latest.watch && !latest.output.json)
        let watched = try parse(["status", "dark-1", "--json", "--watch", "--interval", "3"], as: StatusCommand.self)
        #expect(watched.request == "dark-1" && watched.watch && watched.output.json && watched.interval == 3)
        #expect(parseError(["status", "--interval", "0.5"])?.contains("--interval") == true)
        #expect(parseError(["status", "--watch", "--no-refresh"])?.contains("--no-refresh") == true)
    }

    @Test("resume, cancel and logs need their argument; logs takes --request and --all")
    func requestCommands() throws {
        #expect(try parse(["resume", "dark-1", "--wait"], as: ResumeCommand.self).request == "dark-1")
        #expect(try parse(["cancel", "dark-1"], as: CancelCommand.self).request == "dark-1")
        let logs = try parse(["logs", "process.ch03.a01-08", "--request", "dark-1", "--all"], as: LogsCommand.self)
        #expect(logs.job == "process.ch03.a01-08" && logs.request == "dark-1" && logs.all)
        #expect(parseError(["resume"])?.contains("request") == true)
        #expect(parseError(["cancel"])?.contains("request") == true)
        #expect(parseError(["logs"])?.contains("job") == true)
        #expect(try parse(["requests", "--limit", "5"], as: RequestsCommand.self).limit == 5)
        #expect(parseError(["requests", "--limit", "0"])?.contains("--limit") == true)
    }

    @Test("simulate maps every option onto the simulator's options")
    func simulate() throws {
        let command = try parse([
            "simulate", "--facility", "xfel", "--type", "dark", "--output-dir", "sim", "--runs", "819", "820", "821",
            "--channels", "0,8-9", "--trains", "20", "--cells", "4", "--sequences", "2", "--seed", "42",
            "--lose-trains", "3,5-6", "--outlier-trains", "0", "--missing-channel", "9", "--late-channel", "8:2",
            "--layout", "2017", "--detector-string", "SPB_DET_AGIPD1M-1"], as: SimulateCommand.self)

        let options = command.simulation.options
        #expect(options.runs == [819, 820, 821] && options.channels == [0, 8, 9])
        #expect(options.trains == 20 && options.cells == 4 && options.sequences == 2 && options.seed == 42)
        #expect(options.lostTrains == [3, 5, 6] && options.outlierTrains == [0] && options.missingChannels == [9])
        #expect(options.lateChannels == [8: 2])
        #expect(options.layout.rawValue == "2017" && options.detectorString == "SPB_DET_AGIPD1M-1")
    }

    @Test("simulate rejects bad values naming the flag the user typed",
          arguments: [
              (["--late-channel", "8-2"], "--late-channel"),
              (["--late-channel", "5:1"], "--late-channel"),
              (["--lose-trains", "10"], "--lose-trains"),
              (["--missing-channel", "4"], "--missing-channel"),
              (["--layout", "2016"], "--layout"),
              (["--type", "drscs"], "--type"),
              (["--type", "xray", "--element", "Fe"], "--element"),
              (["--element", "Mo"], "--element"),
          ])
    func simulateErrors(extra: [String], option: String) {
        let base = ["simulate", "--output-dir", "sim", "--runs", "1", "2", "3", "--channels", "0,8", "--trains", "10", "--cells", "2"]
        let message = parseError(base + extra)
        #expect(message?.contains(option) == true, "\(extra) gave \(message ?? "no error")")
    }

    @Test("compare-truth takes the constants file or a request, not both")
    func compareTruth() throws {
        let command = try parse(["compare-truth", "--truth", "t.h5", "--constants", "c.h5", "--json"], as: CompareTruthCommand.self)
        #expect(command.truth == "t.h5" && command.constants == "c.h5" && command.output.json)
        #expect(parseError(["compare-truth", "--truth", "t.h5", "--constants", "c.h5", "--request", "r"])?.contains("--request") == true)
        #expect(try parse(["compare-truth", "--truth", "t.h5"], as: CompareTruthCommand.self).constants == nil)
    }

    @Test("--db wins over CALFARM_DB, which wins over CALFARM_HOME and HOME")
    func databasePath() throws {
        let explicit = try parse(["status", "--db", "x.sqlite"], as: StatusCommand.self).database
        let implicit = try parse(["status"], as: StatusCommand.self).database
        #expect(explicit.resolvedPath(environment: ["CALFARM_DB": "env.sqlite"]) == "x.sqlite")
        #expect(implicit.resolvedPath(environment: ["CALFARM_DB": "env.sqlite", "CALFARM_HOME": "/h"]) == "env.sqlite")
        #expect(implicit.resolvedPath(environment: ["CALFARM_HOME": "/h"]) == "/h/calfarm.sqlite")
        #expect(implicit.resolvedPath(environment: ["HOME": "/home/u"]) == "/home/u/.calfarm/calfarm.sqlite")
    }

    @Test("bad input exits 2 and runtime failures exit 1")
    func exitStatuses() {
        #expect(CommandFailure.exitStatus(for: ValidationError("x")) == 2)
        #expect(CommandFailure.exitStatus(for: ConfigurationError.malformedOverride(text: "x")) == 2)
        #expect(CommandFailure.exitStatus(for: PlanError.missingInputDirectory(path: "/in")) == 2)
        #expect(CommandFailure.exitStatus(for: FarmError.unknownRequest("r")) == 2)
        #expect(CommandFailure.exitStatus(for: StoreError.cannotOpen(path: "/db", message: "locked")) == 1)
        #expect(CommandFailure.exitStatus(for: FarmError.io(path: "/x", reason: "disk full")) == 1)
    }
}

@Suite("index lists (--channels, --asics, --lose-trains)")
struct IndexListTests {
    @Test("ranges and single values expand in the order typed",
          arguments: [("0-15", Array(0...15)), ("0,8", [0, 8]), ("0-3,8-11", [0, 1, 2, 3, 8, 9, 10, 11]),
                      (" 5 ", [5]), ("8, 0-1", [8, 0, 1]), ("7-7", [7])])
    func parses(text: String, expected: [Int]) throws {
        #expect(try IndexList.parse(text, option: "--channels", allowed: 0...15) == expected)
    }

    @Test("malformed lists name the option, the text and the problem",
          arguments: [("", "empty"), ("0,,3", "empty item"), ("a", "neither"), ("3-1", "backwards"),
                      ("0-16", "16 is outside 0-15"), ("1,1", "listed twice"), ("0-3,2", "2 is listed twice"),
                      ("-1", "neither"), ("1-2-3", "neither"), ("4,", "empty item")])
    func rejects(text: String, reason: String) {
        #expect {
            try IndexList.parse(text, option: "--channels", allowed: 0...15)
        } throws: { error in
            guard let error = error as? IndexListError else { return false }
            return error.option == "--channels" && error.text == text && error.reason.contains(reason)
                && error.description.contains("--channels")
        }
    }

    @Test("without bounds any non-negative number is accepted")
    func unbounded() throws {
        #expect(try IndexList.parse("100-102,7", option: "--lose-trains") == [100, 101, 102, 7])
    }

    @Test("format gives the compact sorted form")
    func format() {
        #expect(IndexList.format([8, 0, 1, 2, 3, 10]) == "0-3,8,10")
        #expect(IndexList.format([5]) == "5")
        #expect(IndexList.format([]) == "")
    }
}
