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
        // Started by a controller that ignores SIGINT/SIGTERM itself: take the defaults back, so
        // that the controller's SIGTERM stops this worker.
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        let lease = LocalLeaseHold(path: ProcessInfo.processInfo.environment["CALFARM_LOCAL_LEASE"])
        defer { withExtendedLifetime(lease) {} }
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
        print("calfarm-worker: \(jobSpec.job) succeeded (\(result.outputs.count) output\(result.outputs.count == 1 ? "" : "s"))")
    }
}

/// A worker started by the local executor holds the request's lease (shared) for its lifetime,
/// so that the controller's successors see it alive (Farm's `LocalLease`). The kernel drops the
/// lock when the process ends, however it ends.
final class LocalLeaseHold {
    private let descriptor: Int32

    init(path: String?) {
        guard let path else { descriptor = -1; return }
        descriptor = open(path, O_RDWR | O_CLOEXEC)
        if descriptor >= 0 { _ = flock(descriptor, LOCK_SH) }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }
}
