import ArgumentParser
import Farm

/// `calfarm plan`: the DAG, the effective configuration and the rendered scripts; nothing is
/// stored or submitted (same as `submit --dry-run`).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the job DAG, the effective configuration and the batch scripts; submit nothing.")

    @OptionGroup var request: RequestOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try CommandFailure.run(json: output.json) {
            let farm = try database.openFarm(creating: true)
            try Self.show(try farm.plan(request.submitOptions), json: output.json)
        }
    }

    static func show(_ preview: PlanPreview, json: Bool) throws {
        let summary = PlanSummary(preview)
        if json { try JSONOutput.print(summary) } else { print(summary.render()) }
    }
}
