import Foundation

// Writes about requests and job units. Each public method is one transaction.
extension FarmStore {
    /// Stores a planned request with its whole DAG.
    ///
    /// Edges are grouped by job and each distinct dependency list is stored once (schema v2), so
    /// the cost is O(jobs + distinct lists and their members), not O(edges): all process chunks
    /// of a channel share one list. `jobs` and `dependencies` must belong to `request` (same
    /// `request` field); dependencies must name units of `jobs`.
    /// - Complexity: O(jobs) inserts, O(dependencies) in memory.
    /// - Throws: `StoreError.constraint` for a duplicate request or unit id, a dependency of or
    ///   on an unknown unit, a repeated edge, or a unit of another request; nothing is written then.
    public func createRequest(_ request: RequestRecord, jobs: [JobUnitRecord],
                              dependencies: [DependencyRecord]) throws {
        try createRequest(request, jobs: jobs) {
            try DependencySets(dependencies) { edge in
                try requireSameRequest(edge.request, request.id, what: "dependency \(edge.job) -> \(edge.dependsOn)")
            }
        }
    }

    /// Stores a planned request with its whole DAG, the dependencies already grouped into lists
    /// (what `JobGraph.storeRows` gives): as `createRequest(_:jobs:dependencies:)` without
    /// spelling out one `DependencyRecord` per edge. The lists must name units of `jobs`.
    /// - Throws: as `createRequest(_:jobs:dependencies:)`.
    public func createRequest(_ request: RequestRecord, jobs: [JobUnitRecord],
                              dependencySets: DependencySets) throws {
        try createRequest(request, jobs: jobs) { dependencySets }
    }

    private func createRequest(_ request: RequestRecord, jobs: [JobUnitRecord],
                               dependencySets: () throws -> DependencySets) throws {
        try write("createRequest") { db in
            try db.withStatement("INSERT INTO request (\(Self.requestColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") {
                try $0.bind(.text(request.id), .real(request.createdAt.timeIntervalSince1970),
                            .text(request.facility.rawValue), .text(request.measurement.rawValue),
                            .text(IntegerList.encode(request.runs)), .text(IntegerList.encode(request.channels)),
                            .text(IntegerList.encode(request.asics)), .text(request.runType),
                            .text(request.inputDir), .text(request.outputDir), .text(request.executor),
                            .text(request.configuration), .text(request.state.rawValue), .text(request.workDir),
                            .text(request.supersededBy))
                try $0.run()
            }
            let sets = try dependencySets()
            let setIDs = try insertDependencySets(sets, request: request.id, units: jobs, db)
            try insertUnits(jobs, request: request.id, setID: { sets.listOfJob[$0].map { setIDs[$0] } }, db)
        }
    }

    /// Stores the request's overall state (the caller may use `RequestState.derived(from:)`).
    public func setRequestState(_ state: RequestState, request: String) throws {
        try write("setRequestState") { db in
            try db.withStatement("UPDATE request SET state = ? WHERE id = ?") {
                try $0.bind(.text(state.rawValue), .text(request))
                try $0.run()
            }
            if db.changes == 0 { throw StoreError.unknownRequest(path: path, request: request) }
        }
    }

    /// Marks `request` as superseded by `newer`, whose products replace its own.
    public func setSuperseded(request: String, by newer: String) throws {
        try write("setSuperseded") { db in
            try db.withStatement("UPDATE request SET supersededBy = ? WHERE id = ?") {
                try $0.bind(.text(newer), .text(request))
                try $0.run()
            }
            if db.changes == 0 { throw StoreError.unknownRequest(path: path, request: request) }
        }
    }

    /// Appends events to the request histories; returns their ids in order.
    @discardableResult
    public func appendEvents(_ events: [EventRecord]) throws -> [Int64] {
        try write("appendEvents") { db in
            try db.withStatement("INSERT INTO event (request, job, time, kind, message) VALUES (?,?,?,?,?)") { insert in
                try events.map { event in
                    try insert.bind(.text(event.request), .text(event.job), .real(event.time.timeIntervalSince1970),
                                    .text(event.kind), .text(event.message))
                    try insert.run()
                    return db.lastInsertRowID
                }
            }
        }
    }

    /// Marks job units done (their result files validated). Their latest attempt, if still
    /// open, ends as done too.
    public func markJobsDone(request: String, jobs: [String], at time: Date = Date()) throws {
        try write("markJobsDone") { db in
            for job in jobs { try end(job, request: request, as: .done, reason: nil, at: time, db) }
        }
    }

    /// Marks job units failed with the error `status` should show (e.g. from the result file).
    /// Their latest attempt, if still open, ends as failed with that reason.
    public func markJobsFailed(request: String, failures: [(job: String, error: String)],
                               at time: Date = Date()) throws {
        try write("markJobsFailed") { db in
            for failure in failures {
                try end(failure.job, request: request, as: .failed, reason: failure.error, at: time, db)
            }
        }
    }

    /// Marks job units cancelled (user cancel, or dependents of a failed unit that can never run).
    public func markJobsCancelled(request: String, jobs: [String], reason: String,
                                  at time: Date = Date()) throws {
        try write("markJobsCancelled") { db in
            for job in jobs { try end(job, request: request, as: .cancelled, reason: reason, at: time, db) }
        }
    }

    /// Puts job units back to `planned` so that resume submits them again. Attempt counts and
    /// history stay; an attempt still open is closed as cancelled (superseded by the rerun).
    public func resetForResume(request: String, jobs: [String], at time: Date = Date()) throws {
        try write("resetForResume") { db in
            for job in jobs {
                try db.withStatement("""
                    UPDATE attempt SET state = 'cancelled', endedAt = COALESCE(endedAt, ?),
                        reason = COALESCE(reason, 'superseded by resume')
                    WHERE request = ? AND job = ? AND state IN ('queued', 'running')
                    """) {
                    try $0.bind(.real(time.timeIntervalSince1970), .text(request), .text(job))
                    try $0.run()
                }
                try db.withStatement("UPDATE jobUnit SET state = 'planned', lastError = NULL WHERE request = ? AND id = ?") {
                    try $0.bind(.text(request), .text(job))
                    try $0.run()
                }
                if db.changes == 0 { throw StoreError.unknownJob(path: path, request: request, job: job) }
            }
        }
    }

    /// Sets the SLURM time limit of job units (a TIMEOUT is retried with a longer one).
    public func setTimeLimit(_ timeLimit: String, request: String, jobs: [String]) throws {
        try write("setTimeLimit") { db in
            try updateEach(jobs, request: request, sql: "UPDATE jobUnit SET timeLimit = ? WHERE request = ? AND id = ?",
                           value: timeLimit, db)
        }
    }

    /// Moves job units to another array group (resubmission regroups what is left to run).
    public func setArrayGroup(_ arrayGroup: String, request: String, jobs: [String]) throws {
        try write("setArrayGroup") { db in
            try updateEach(jobs, request: request, sql: "UPDATE jobUnit SET arrayGroup = ? WHERE request = ? AND id = ?",
                           value: arrayGroup, db)
        }
    }

    // MARK: Parts of transactions

    private func end(_ job: String, request: String, as state: JobState, reason: String?, at time: Date,
                     _ db: SQLiteConnection) throws {
        try db.withStatement("UPDATE jobUnit SET state = ?, lastError = ? WHERE request = ? AND id = ?") {
            try $0.bind(.text(state.rawValue), .text(state == .done ? nil : reason), .text(request), .text(job))
            try $0.run()
        }
        if db.changes == 0 { throw StoreError.unknownJob(path: path, request: request, job: job) }
        try db.withStatement("""
            UPDATE attempt SET state = ?, endedAt = COALESCE(endedAt, ?), reason = COALESCE(reason, ?)
            WHERE request = ? AND job = ? AND state IN ('queued', 'running')
              AND number = (SELECT attempts FROM jobUnit WHERE request = ? AND id = ?)
            """) {
            try $0.bind(.text(state.rawValue), .real(time.timeIntervalSince1970), .text(reason),
                        .text(request), .text(job), .text(request), .text(job))
            try $0.run()
        }
    }

    private func updateEach(_ jobs: [String], request: String, sql: String, value: String,
                            _ db: SQLiteConnection) throws {
        try db.withStatement(sql) { update in
            for job in jobs {
                try update.bind(.text(value), .text(request), .text(job))
                try update.run()
                if db.changes == 0 { throw StoreError.unknownJob(path: path, request: request, job: job) }
            }
        }
    }

    func requireSameRequest(_ found: String, _ expected: String, what: @autoclosure () -> String) throws {
        if found != expected {
            throw StoreError.constraint(path: path, operation: "request id check",
                                        message: "\(what()) belongs to request '\(found)', not '\(expected)'")
        }
    }
}
