import ArgumentParser
import FarmContract
import Foundation

/// `calfarm-worker run --spec FILE`: executes one job unit and reports through its result file.
/// Exit status: 0 success, 1 the step failed (result file says why), 2 the spec is unusable.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the job unit described by a spec file and write its result file.")

    @Option(name: .long, help: "A single job unit's spec (JSON).")
    var spec: String?

    @Option(name: .long, help: "An array's spec file (JSON Lines, written by calfarm at submission).")
    var specs: String?

    @Option(name: .long, help: "Line of --specs to run (0-based; the SLURM array task id).")
    var index: Int?

    func validate() throws {
        guard (spec == nil) != (specs == nil) else {
            throw ValidationError("give exactly one of --spec FILE or --specs FILE --index N")
        }
        if specs != nil, index == nil { throw ValidationError("--specs needs --index N") }
    }

    private func loadSpec() throws -> JobSpec {
        if let specs, let index { return try SpecFile.read(at: specs, index: index) }
        return try ContractJSON.read(JobSpec.self, at: spec!, formatVersion: JobSpec.currentFormatVersion)
    }

    func run() throws {
        let jobSpec: JobSpec
        do {
            jobSpec = try loadSpec()
            guard jobSpec.formatVersion == JobSpec.currentFormatVersion else {
                throw ContractError.unsupportedVersion(path: spec ?? specs!, found: jobSpec.formatVersion,
                                                       supported: JobSpec.currentFormatVersion)
            }
        } catch {
            FileHandle.standardError.write(Data("calfarm-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let env = ProcessInfo.processInfo.environment
        let attempt = env["CALFARM_ATTEMPT"].flatMap(Int.init) ?? 1
        let faults = try env[FaultInjection.environmentKey].map(FaultInjection.init(parsing:))
        let result = JobExecution(spec: jobSpec, attempt: attempt, faults: faults).execute()
        do {
            try ContractJSON.write(result, to: jobSpec.resultPath)
        } catch {
            FileHandle.standardError.write(Data("calfarm-worker: cannot write result: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if result.status == .failed {
            FileHandle.standardError.write(Data("calfarm-worker: \(jobSpec.job) failed: \(result.error ?? "unknown")\n".utf8))
            throw ExitCode(1)
        }
        print("calfarm-worker: \(jobSpec.job) succeeded (\(result.outputs.count) outputs)")
    }
}
