import Foundation

/// One entry point to the SLURM clients, sharing a runner (retry policy, environment).
public struct SlurmClient: Sendable {
    public var runner: SlurmCommandRunner

    public init(runner: SlurmCommandRunner = SlurmCommandRunner()) { self.runner = runner }

    /// See ``Sbatch/submit(_:)``.
    public func submit(_ request: SbatchRequest) throws -> SlurmJobID {
        try Sbatch(runner: runner).submit(request)
    }

    /// See ``Squeue/jobs(_:)``: jobs still in the controller's memory; absent ones finished
    /// long ago (ask ``accounting(_:)``).
    public func queue(_ ids: [SlurmJobID]) throws -> [SqueueRecord] {
        try Squeue(runner: runner).jobs(ids)
    }

    /// See ``Sacct/jobs(_:)``.
    public func accounting(_ ids: [SlurmJobID]) throws -> SacctResult {
        try Sacct(runner: runner).jobs(ids)
    }

    /// Jobs named `name`, from the queue and from accounting since `since`, for finding an
    /// earlier submission again (idempotent submission).
    public func jobs(named name: String, since: Date) throws -> (queue: [SqueueRecord], accounting: SacctResult) {
        (try Squeue(runner: runner).jobs(named: name), try Sacct(runner: runner).jobs(named: name, since: since))
    }

    /// See ``Scancel/cancel(_:)``.
    public func cancel(_ ids: [SlurmJobID]) throws {
        try Scancel(runner: runner).cancel(ids)
    }

    /// See ``SlurmConfiguration/load(runner:)``.
    public func configuration() throws -> SlurmConfiguration {
        try SlurmConfiguration.load(runner: runner)
    }
}
