import Foundation

/// Cancels jobs with `scancel`, many per call.
public struct Scancel: Sendable {
    public var runner: SlurmCommandRunner

    public init(runner: SlurmCommandRunner = SlurmCommandRunner()) { self.runner = runner }

    /// Cancels the given jobs or array tasks. Ids SLURM no longer knows are ignored (scancel
    /// exits 0 for them), so cancelling twice is harmless.
    ///
    /// Complexity: ⌈n / chunk size⌉ client calls.
    public func cancel(_ ids: [SlurmJobID]) throws {
        for chunk in SlurmIDList.chunks(ids.map(\.description)) {
            _ = try runner.run(.scancel, chunk)
        }
    }
}
