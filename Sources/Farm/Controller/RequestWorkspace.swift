import Foundation

/// The files of one request outside the database: `<output>/calfarm/<request>/` with `specs/`
/// (one JSON Lines file per submitted array), `scripts/`, `results/` (one result file per job
/// unit, written by workers) and `logs/`.
public struct RequestWorkspace: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public init(request: String, outputDir: String) { root = "\(outputDir)/calfarm/\(request)" }

    public var specs: String { "\(root)/specs" }
    public var scripts: String { "\(root)/scripts" }
    public var results: String { "\(root)/results" }
    public var logs: String { "\(root)/logs" }
    /// The local executor's lease (`LocalLease`).
    public var localLease: String { "\(root)/\(LocalLease.fileName)" }

    public func resultPath(job: String) -> String { "\(results)/\(job).json" }
    public func specFile(token: String) -> String { "\(specs)/\(token).jsonl" }
    public func scriptFile(token: String) -> String { "\(scripts)/\(token).sbatch" }
    /// SLURM writes `<group>_<array job>_<task>.log`; the local executor uses the same names with
    /// its own token in place of the job id.
    public func logPath(group: String, jobID: String, task: Int) -> String {
        logPaths(group: group, jobID: jobID).path(task: task)
    }

    /// The log paths of every task of one submitted array (`logPath` for each task index).
    public func logPaths(group: String, jobID: String) -> AttemptLogPaths {
        AttemptLogPaths(prefix: "\(logs)/\(group)_\(jobID)_", suffix: ".log")
    }

    func create() throws {
        for dir in [specs, scripts, results, logs] {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw FarmError.io(path: dir, reason: "cannot create: \(error.localizedDescription)")
            }
        }
    }
}
