import FarmContract
import Foundation

// Reads. Each public method sees one consistent snapshot of the database.
extension FarmStore {
    /// The request `id`, or nil if there is none.
    public func request(_ id: String) throws -> RequestRecord? {
        try read("request") { db in
            try db.withStatement("SELECT \(Self.requestColumns) FROM request WHERE id = ?") {
                try $0.bind(.text(id))
                return try $0.step() ? requestRecord($0) : nil
            }
        }
    }

    /// The most recently created request (what `calfarm status` shows without an argument).
    public func latestRequest() throws -> RequestRecord? {
        try requests(limit: 1).first
    }

    /// Requests, newest first.
    public func requests(limit: Int = 50) throws -> [RequestRecord] {
        try read("requests") { db in
            try db.withStatement("""
                SELECT \(Self.requestColumns) FROM request ORDER BY createdAt DESC, rowid DESC LIMIT ?
                """) {
                try $0.bind(.integer(Int64(limit)))
                var requests: [RequestRecord] = []
                while try $0.step() { requests.append(try requestRecord($0)) }
                return requests
            }
        }
    }

    /// The request's job units in plan order, optionally only those in `states`.
    /// - Complexity: O(units returned); uses the (request, state) index when `states` is given.
    public func jobs(request: String, states: Set<JobState>? = nil) throws -> [JobUnitRecord] {
        var sql = "SELECT \(Self.jobUnitColumns) FROM jobUnit WHERE request = ?"
        let filter = states.map { JobState.allCases.filter($0.contains) } ?? []
        if states != nil {
            sql += " AND state IN (" + filter.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
        }
        sql += " ORDER BY rowid"
        return try read("jobs") { db in
            try db.withStatement(sql) {
                try $0.bind(.text(request))
                var jobs: [JobUnitRecord] = []
                while try $0.step() { jobs.append(try jobUnitRecord($0)) }
                return jobs
            }
        }
    }

    /// One job unit, or nil if the request has no unit `id`.
    public func job(request: String, id: String) throws -> JobUnitRecord? {
        try read("job") { db in
            try db.withStatement("SELECT \(Self.jobUnitColumns) FROM jobUnit WHERE request = ? AND id = ?") {
                try $0.bind(.text(request), .text(id))
                return try $0.step() ? jobUnitRecord($0) : nil
            }
        }
    }

    /// The request's dependency edges, expanded from the stored dependency sets, unit by unit
    /// in plan order (success edges of a unit before its completion edges).
    /// - Complexity: O(units + edges); each distinct set is decoded once.
    public func dependencies(request: String) throws -> [DependencyRecord] {
        try read("dependencies") { db in
            var lists: [Int64: DependencyList] = [:]
            try db.withStatement("SELECT id, success, completion FROM dependencySet WHERE request = ?") {
                try $0.bind(.text(request))
                while try $0.step() {
                    lists[$0.int64(0)] = DependencyList(
                        success: try unitIDs($0, 1, column: "success"),
                        completion: try unitIDs($0, 2, column: "completion"))
                }
            }
            guard !lists.isEmpty else { return [] }
            return try db.withStatement("""
                SELECT id, dependencySet FROM jobUnit WHERE request = ? AND dependencySet IS NOT NULL ORDER BY rowid
                """) {
                try $0.bind(.text(request))
                var edges: [DependencyRecord] = []
                while try $0.step() {
                    let job = $0.string(0)
                    guard let list = lists[$0.int64(1)] else {
                        throw StoreError.corruptValue(path: path, table: "jobUnit", column: "dependencySet",
                                                      value: "\($0.int64(1)) (unit \(job): no such set)")
                    }
                    for unit in list.success {
                        edges.append(DependencyRecord(request: request, job: job, dependsOn: unit, kind: .success))
                    }
                    for unit in list.completion {
                        edges.append(DependencyRecord(request: request, job: job, dependsOn: unit, kind: .completion))
                    }
                }
                return edges
            }
        }
    }

    private func unitIDs(_ row: SQLiteStatement, _ column: Int32, column name: String) throws -> [String] {
        let raw = row.string(column)
        guard let ids = StringList.decode(raw) else {
            throw StoreError.corruptValue(path: path, table: "dependencySet", column: name, value: raw)
        }
        return ids
    }

    /// Number of job units per step and state (states with no unit are left out).
    /// - Complexity: O(steps × states), read from `jobCount`, whatever the number of units.
    public func statusCounts(request: String) throws -> [Step: [JobState: Int]] {
        try read("statusCounts") { db in
            try db.withStatement("SELECT step, state, n FROM jobCount WHERE request = ? AND n > 0") {
                try $0.bind(.text(request))
                var counts: [Step: [JobState: Int]] = [:]
                while try $0.step() {
                    let step: Step = try decode($0, 0, table: "jobCount", column: "step")
                    let state: JobState = try decode($0, 1, table: "jobCount", column: "state")
                    counts[step, default: [:]][state] = $0.int(2)
                }
                return counts
            }
        }
    }

    /// Failed job units in plan order, each with its latest attempt (reason, exit code, log).
    /// - Complexity: O(limit) through the (request, state) index.
    public func failedJobs(request: String, limit: Int = 100) throws -> [FailedJob] {
        try read("failedJobs") { db in
            let columns = Self.jobUnitColumns.split(separator: ",").map { "j." + $0.trimmingCharacters(in: .whitespaces) }
            let attemptColumns = Self.attemptColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }
            return try db.withStatement("""
                SELECT \(columns.joined(separator: ", ")), \(attemptColumns.joined(separator: ", "))
                FROM jobUnit j
                LEFT JOIN attempt a ON a.request = j.request AND a.job = j.id AND a.number = j.attempts
                WHERE j.request = ? AND j.state = 'failed'
                ORDER BY j.rowid LIMIT ?
                """) {
                try $0.bind(.text(request), .integer(Int64(limit)))
                var failed: [FailedJob] = []
                while try $0.step() {
                    let job = try jobUnitRecord($0)
                    let attempt = $0.isNull(15) ? nil : try attemptRecord($0, offset: 15)
                    failed.append(FailedJob(job: job, lastAttempt: attempt))
                }
                return failed
            }
        }
    }

    /// All attempts at one job unit, oldest first.
    public func attempts(request: String, job: String) throws -> [AttemptRecord] {
        try read("attempts") { db in
            try db.withStatement("""
                SELECT \(Self.attemptColumns) FROM attempt WHERE request = ? AND job = ? ORDER BY number
                """) {
                try $0.bind(.text(request), .text(job))
                var attempts: [AttemptRecord] = []
                while try $0.step() { attempts.append(try attemptRecord($0)) }
                return attempts
            }
        }
    }

    /// Every attempt of a request, by job unit and number (one query, for the report).
    public func attempts(request: String) throws -> [AttemptRecord] {
        try read("attempts") { db in
            try db.withStatement("SELECT \(Self.attemptColumns) FROM attempt WHERE request = ? ORDER BY job, number") {
                try $0.bind(.text(request))
                var attempts: [AttemptRecord] = []
                while try $0.step() { attempts.append(try attemptRecord($0)) }
                return attempts
            }
        }
    }

    /// Attempts the executor still holds (queued or running, with a SLURM job id): what one
    /// reconciliation round asks squeue/sacct about. All requests when `request` is nil.
    public func openAttempts(request: String? = nil) throws -> [AttemptRecord] {
        // The literal IN list matches the partial index attempt_open.
        var sql = "SELECT \(Self.attemptColumns) FROM attempt WHERE state IN ('queued', 'running') AND slurmJobID IS NOT NULL"
        if request != nil { sql += " AND request = ?" }
        sql += " ORDER BY id"
        return try read("openAttempts") { db in
            try db.withStatement(sql) {
                if let request { try $0.bind(.text(request)) }
                var attempts: [AttemptRecord] = []
                while try $0.step() { attempts.append(try attemptRecord($0)) }
                return attempts
            }
        }
    }

    /// Attempts of the local executor (no SLURM job id) the database calls queued or running.
    public func openLocalAttempts(request: String) throws -> [AttemptRecord] {
        try read("openLocalAttempts") { db in
            try db.withStatement("SELECT \(Self.attemptColumns) FROM attempt WHERE state IN ('queued', 'running') "
                                 + "AND slurmJobID IS NULL AND request = ? ORDER BY id") {
                try $0.bind(.text(request))
                var attempts: [AttemptRecord] = []
                while try $0.step() { attempts.append(try attemptRecord($0)) }
                return attempts
            }
        }
    }

    /// The request's submissions, oldest first (those still `recorded` need a token lookup).
    public func submissions(request: String) throws -> [SubmissionRecord] {
        try read("submissions") { db in
            try db.withStatement("SELECT \(Self.submissionColumns) FROM submission WHERE request = ? ORDER BY id") {
                try $0.bind(.text(request))
                var submissions: [SubmissionRecord] = []
                while try $0.step() { submissions.append(try submissionRecord($0)) }
                return submissions
            }
        }
    }

    /// The job units a submission carries, in array-task order.
    public func submittedJobs(token: String) throws -> [SubmittedJob] {
        try read("submittedJobs") { db in
            try submittedJobs(submission: try submission(token: token, db).id, db)
        }
    }

    /// The request's events (only those of `job` when given), oldest first, at most `limit`.
    public func events(request: String, job: String? = nil, limit: Int = 1000) throws -> [EventRecord] {
        var sql = "SELECT \(Self.eventColumns) FROM event WHERE request = ?"
        if job != nil { sql += " AND job = ?" }
        sql += " ORDER BY id LIMIT ?"
        return try read("events") { db in
            try db.withStatement(sql) {
                if let job {
                    try $0.bind(.text(request), .text(job), .integer(Int64(limit)))
                } else {
                    try $0.bind(.text(request), .integer(Int64(limit)))
                }
                var events: [EventRecord] = []
                while try $0.step() { events.append(eventRecord($0)) }
                return events
            }
        }
    }

    /// The `kind` of the events holding worker warnings.
    public static let warningEventKind = "warning"

    /// The workers' warnings of the request, (job unit, message), oldest first.
    public func warnings(request: String) throws -> [(job: String, message: String)] {
        try read("warnings") { db in
            try db.withStatement("SELECT job, message FROM event WHERE request = ? AND kind = ? ORDER BY id") {
                try $0.bind(.text(request), .text(Self.warningEventKind))
                var found: [(String, String)] = []
                while try $0.step() { found.append(($0.isNull(0) ? "" : $0.string(0), $0.string(1))) }
                return found
            }
        }
    }

    /// For each of `failed`, how many cancelled units of the request waited on it directly
    /// (`afterok`): the units its failure cancelled. One pass over the cancelled units' sets.
    public func cancelledDependents(request: String, of failed: Set<String>) throws -> [String: Int] {
        guard !failed.isEmpty else { return [:] }
        return try read("cancelledDependents") { db in
            try db.withStatement("""
                SELECT d.success, count(*) FROM jobUnit j JOIN dependencySet d ON d.id = j.dependencySet
                WHERE j.request = ? AND j.state = 'cancelled' GROUP BY j.dependencySet
                """) {
                try $0.bind(.text(request))
                var counts: [String: Int] = [:]
                while try $0.step() {
                    let ids = (try? JSONDecoder().decode([String].self, from: Data($0.string(0).utf8))) ?? []
                    for id in ids where failed.contains(id) { counts[id, default: 0] += $0.int(1) }
                }
                return counts
            }
        }
    }
}
