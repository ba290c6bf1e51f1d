import Foundation

/// One clause of `sbatch --dependency`: a condition on one or more jobs or array tasks.
public struct SlurmDependency: Hashable, Sendable, CustomStringConvertible {
    public enum Condition: String, Hashable, Sendable {
        /// Start after the parents completed successfully (exit 0).
        case afterOK = "afterok"
        /// Start after the parents ended, however they ended.
        case afterAny = "afterany"
        /// Start only if a parent failed.
        case afterNotOK = "afternotok"
    }

    public var condition: Condition
    /// The parents; a whole array (`123`) waits for every task, `123_4` for one task.
    public var jobs: [SlurmJobID]

    public init(_ condition: Condition, _ jobs: [SlurmJobID]) {
        self.condition = condition
        self.jobs = jobs
    }

    /// `afterok:123:124_5`.
    public var description: String {
        ([condition.rawValue] + jobs.map(\.description)).joined(separator: ":")
    }

    /// The value of `--dependency` for several clauses that must all hold (`,` means AND).
    ///
    /// - Throws: ``SlurmError/invalidRequest(field:value:reason:)`` when a clause names no job:
    ///   SLURM refuses such a submission ("Job dependency problem") and still uses up a job id.
    public static func argument(for dependencies: [SlurmDependency]) throws -> String {
        for dependency in dependencies where dependency.jobs.isEmpty {
            throw SlurmError.invalidRequest(field: "dependency", value: dependency.description,
                                            reason: "names no parent job")
        }
        return dependencies.map(\.description).joined(separator: ",")
    }
}
