import ArgumentParser
import Farm
import Foundation
import Report

/// `calfarm report`: one self-contained HTML file of a request (what ran, where the time went,
/// what failed, what the constants look like). Works while the request runs: it shows what exists.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a request's report: one HTML file that opens offline (summary, timeline, resources, failures, data quality, constant maps).")

    @Argument(help: "Request id (default: the latest request).")
    var request: String?

    @Option(help: ArgumentHelp("Where to write the page (default: <request>-report.html here).", valueName: "file.html"))
    var output: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        try CommandFailure.run(json: format.json) {
            let farm = try database.openFarm()
            let inputs = try farm.reportInputs(request: request)
            let path = Farm.absolute(output ?? "\(inputs.record.id)-report.html")
            let outcome = try RequestReport(inputs: inputs).write(to: path)
            if format.json { return try JSONOutput.print(outcome) }
            print(outcome.path)
            Console.progress("report of request \(outcome.request): \(outcome.maps) constant maps, \(outcome.attempts) attempts, "
                             + String(format: "%.1f MB", Double(outcome.bytes) / 1e6))
        }
    }
}
