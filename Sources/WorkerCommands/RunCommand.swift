import ArgumentParser
import FarmContract
import Foundation

/// `calfarm-worker run --spec FILE`: executes one job unit and reports through its result file.
/// Exit status: 0 success, 1 the step failed (result file says why), 2 the spec is unusable.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the job unit described by a spec file and write its result file.")

    @Option(name: .long, help: "Path of the job unit's spec (JSON written by calfarm at submission).")
    var spec: String

    func run() throws {
        let jobSpec: JobSpec
        do {
            jobSpec = try ContractJSON.read(JobSpec.self, at: spec)
            guard jobSpec.formatVersion == JobSpec.currentFormatVersion else {
                throw ContractError.unsupportedVersion(path: spec, found: jobSpec.formatVersion,
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
