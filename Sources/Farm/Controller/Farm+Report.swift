import FarmContract
import Foundation

/// Everything the request report shows that the controller knows: the request, its status, its
/// units, attempts and edges, the effective configuration, the workers' result files and the last
/// lines of failed attempts' logs. Read only; the constants come from the products (Report).
public struct ReportInputs: Sendable {
    public var record: RequestRecord
    public var status: StatusReport
    public var jobs: [JobUnitRecord]
    public var attempts: [AttemptRecord]
    public var dependencies: [DependencyRecord]
    public var configuration: Configuration
    /// Job unit → its result file, where the worker wrote one.
    public var results: [String: JobResult]
    /// Attempt id → the last lines of its log (failed attempts only).
    public var logTails: [Int64: [String]]
    public var warnings: [(job: String, message: String)]
    /// The joined product to draw (nil before join has run).
    public var joinedProduct: String?
}

extension ReportInputs {
    /// The units on the critical path, first to last: from the unit that ended last, back
    /// through the dependency that ended last, to a unit without one (the report's timeline and
    /// `calfarm-bench pipeline`).
    public func criticalPath() -> [String] {
        var ends: [String: Date] = [:]
        for attempt in attempts { if let end = attempt.endedAt { ends[attempt.job] = max(ends[attempt.job] ?? end, end) } }
        var parents: [String: [String]] = [:]
        for edge in dependencies { parents[edge.job, default: []].append(edge.dependsOn) }
        guard var unit = ends.max(by: { $0.value < $1.value })?.key else { return [] }
        var path = [unit]
        while let next = parents[unit]?.compactMap({ p in ends[p].map { (p, $0) } }).max(by: { $0.1 < $1.1 })?.0, !path.contains(next) {
            path.append(next)
            unit = next
        }
        return path.reversed()
    }
}

extension Farm {
    /// The inputs of `calfarm report` for `request` (nil = the latest), after one refresh, so a
    /// report written while the request runs shows what exists so far.
    public func reportInputs(request: String?, logLines: Int = 20) throws -> ReportInputs {
        let record = try requestRecord(request)
        let status = try self.status(request: record.id)
        let workspace = RequestWorkspace(root: record.workDir)
        let jobs = try store.jobs(request: record.id)
        var results: [String: JobResult] = [:]
        for job in jobs {
            if let result = try? ContractJSON.read(JobResult.self, at: workspace.resultPath(job: job.id)) { results[job.id] = result }
        }
        let attempts = try store.attempts(request: record.id)
        var tails: [Int64: [String]] = [:]
        for attempt in attempts where attempt.state == .failed {
            guard let path = attempt.logPath, let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            tails[attempt.id] = Array(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                .suffix(logLines + 1).drop { $0.isEmpty })
        }
        let configuration = try storedConfiguration(record)
        let joined = jobs.contains { $0.step == .join } ? try? joinedProduct(of: record) : nil
        return ReportInputs(record: record, status: status, jobs: jobs, attempts: attempts,
                            dependencies: try store.dependencies(request: record.id), configuration: configuration,
                            results: results, logTails: tails, warnings: try store.warnings(request: record.id),
                            joinedProduct: joined.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil })
    }
}
