/// One row of `dependency`: `job` may start only after `dependsOn` has ended as `kind` requires.
public struct DependencyRecord: Sendable, Equatable, Hashable {
    /// SLURM's `afterok` (`success`) or `afterany` (`completion`, e.g. join after all process jobs).
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        case success, completion
    }

    public var request: String
    public var job: String
    public var dependsOn: String
    public var kind: Kind

    public init(request: String, job: String, dependsOn: String, kind: Kind = .success) {
        self.request = request
        self.job = job
        self.dependsOn = dependsOn
        self.kind = kind
    }
}
