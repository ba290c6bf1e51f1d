import FarmContract
import Foundation

/// One attempt at one job unit: fault injection, the step itself, checksums and metrics.
struct JobExecution {
    var spec: JobSpec
    var attempt: Int
    var faults: FaultInjection?

    func execute() -> JobResult {
        let started = Date()
        var outcome = StepOutcome()
        var failure: String?
        do {
            try applyFault()
            outcome = try StepDispatch.run(spec)
            outcome.outputs = try outcome.writtenFiles.map(FileChecksum.output(for:))
        } catch {
            failure = String(describing: error)
        }
        let usage = ResourceUsage.current()
        return JobResult(
            request: spec.request, job: spec.job, status: failure == nil ? .succeeded : .failed,
            outputs: failure == nil ? outcome.outputs : [], warnings: outcome.warnings, error: failure,
            missing: outcome.missing, host: ResourceUsage.hostName, slurmJobID: ResourceUsage.slurmJobID,
            startedAt: started, finishedAt: Date(), cpuSeconds: usage.cpuSeconds,
            peakMemoryBytes: usage.peakMemoryBytes, metrics: outcome.metrics)
    }

    private func applyFault() throws {
        guard let action = faults?.action(for: spec.job, attempt: attempt) else { return }
        switch action {
        case .fail: throw WorkerError.injectedFailure(job: spec.job)
        case .crash:
            FileHandle.standardError.write(Data("calfarm-worker: crash injected for \(spec.job)\n".utf8))
            abort()
        case .hang:
            while true { sleep(3600) }
        case let .sleep(seconds):
            sleep(UInt32(seconds))
        }
    }
}

/// What a step reports back to the worker.
struct StepOutcome {
    var writtenFiles: [String] = []
    var outputs: [JobResult.Output] = []
    var warnings: [String] = []
    var missing: [JobResult.Missing] = []
    var metrics: [String: Double] = [:]
}
