import Foundation

// Submission tokens and attempts. The protocol, so that a controller killed at any point can
// resume without duplicating work:
//   1. recordSubmissionToken — committed BEFORE sbatch; the token goes into the job name/comment;
//   2. sbatch;
//   3. markSubmitted (or markSubmissionFailed) — creates the attempts and queues the units.
// On resume, a submission still `recorded` is looked up in squeue/sacct by its token and
// completed with step 3 instead of being submitted again.
extension FarmStore {
    /// The carried units of a submission, 64 per execution (submission and request bound once).
    static let submissionJobInsert = MultiRowInsert(
        head: "INSERT INTO submissionJob (submission, request, job, arrayTaskID)", shared: 2, perRow: 2, rowsPerInsert: 64)

    /// Records, before the `sbatch` call, which job units a submission will carry.
    ///
    /// - Parameters:
    ///   - token: Unique token carried in the SLURM job name or comment.
    ///   - jobs: The units in array-task order, with their task indexes.
    /// - Returns: The stored submission (state `recorded`).
    /// - Throws: `StoreError.constraint` if the token already exists or a unit is unknown.
    @discardableResult
    public func recordSubmissionToken(_ token: String, request: String, arrayGroup: String,
                                      jobs: [SubmittedJob], at time: Date = Date()) throws -> SubmissionRecord {
        try write("recordSubmissionToken") { db in
            try db.withStatement("""
                INSERT INTO submission (request, arrayGroup, token, state, createdAt) VALUES (?,?,?,'recorded',?)
                """) {
                try $0.bind(.text(request), .text(arrayGroup), .text(token), .real(time.timeIntervalSince1970))
                try $0.run()
            }
            let id = db.lastInsertRowID
            try Self.submissionJobInsert.run(count: jobs.count, db, bindShared: { insert, _ in
                try insert.bind(.integer(id), .text(request))
            }, bindRow: { insert, index, slot in
                let first = Self.submissionJobInsert.firstParameter(slot: slot)
                try insert.bind(jobs[index].job, at: first)
                try insert.bind(jobs[index].arrayTaskID, at: first + 1)
            })
            return SubmissionRecord(id: id, request: request, arrayGroup: arrayGroup, token: token,
                                    state: .recorded, createdAt: time)
        }
    }

    /// Records that the executor accepted the submission `token`: one new attempt per carried
    /// unit (number = previous attempts + 1, state `queued`, log path from `logPaths` by array
    /// task) and the units become `queued`.
    ///
    /// Set-based: one UPDATE queues every carried unit and one INSERT … SELECT creates the
    /// attempts, in array-task order, so their ids ascend with the task index.
    /// Idempotent: for a submission already marked submitted it returns the existing attempts.
    /// - Parameters:
    ///   - slurmJobID: The id `sbatch` printed (the array job id); nil for executors without one.
    ///   - logPaths: Where each task writes its log; nil leaves the attempts' log paths empty.
    /// - Returns: The attempts of this submission, in array-task order.
    /// - Throws: `StoreError.unknownToken`, or `StoreError.unknownJob` for a carried unit that no
    ///   longer exists (nothing is applied then).
    @discardableResult
    public func markSubmitted(token: String, slurmJobID: String?, logPaths: AttemptLogPaths? = nil,
                              at time: Date = Date()) throws -> [AttemptRecord] {
        try write("markSubmitted") { db in
            let submission = try submission(token: token, db)
            if submission.state == .submitted { return try attempts(token: token, db) }
            let executor = try db.withStatement("SELECT executor FROM request WHERE id = ?") {
                try $0.bind(.text(submission.request))
                return try $0.step() ? $0.string(0) : ""
            }
            let carried = try db.withStatement("SELECT count(*) FROM submissionJob WHERE submission = ?") {
                try $0.bind(.integer(submission.id))
                return try $0.step() ? $0.int(0) : 0
            }
            try db.withStatement("""
                UPDATE jobUnit SET attempts = attempts + 1, state = 'queued', lastError = NULL
                WHERE request = ?1 AND id IN (SELECT job FROM submissionJob WHERE submission = ?2)
                """) {
                try $0.bind(.text(submission.request), .integer(submission.id))
                try $0.run()
            }
            if db.changes != carried { throw try missingJob(submission, db) }
            // The unit's new attempt count is the attempt's number. A NULL prefix (no log paths)
            // makes the whole concatenation NULL. RETURNING hands back only what differs per
            // attempt, in no promised order: sorting by id restores the insertion (task) order.
            var attempts = try db.withStatement("""
                INSERT INTO attempt (request, job, number, executor, token, slurmJobID, arrayTaskID,
                                     state, submittedAt, logPath)
                SELECT s.request, s.job, u.attempts, ?2, ?3, ?4, s.arrayTaskID, 'queued', ?5,
                       ?6 || COALESCE(s.arrayTaskID, 0) || ?7
                FROM submissionJob s JOIN jobUnit u ON u.request = s.request AND u.id = s.job
                WHERE s.submission = ?1
                ORDER BY s.arrayTaskID, s.job
                RETURNING id, job, number, arrayTaskID, logPath
                """) { insert in
                try insert.bind(.integer(submission.id), .text(executor), .text(token), .text(slurmJobID),
                                .real(time.timeIntervalSince1970), .text(logPaths?.prefix), .text(logPaths?.suffix))
                let submittedAt = Date(timeIntervalSince1970: time.timeIntervalSince1970)
                var attempts: [AttemptRecord] = []
                attempts.reserveCapacity(carried)
                while try insert.step() {
                    attempts.append(AttemptRecord(
                        id: insert.int64(0), request: submission.request, job: insert.string(1), number: insert.int(2),
                        executor: executor, token: token, slurmJobID: slurmJobID, arrayTaskID: insert.optionalInt(3),
                        state: .queued, submittedAt: submittedAt, logPath: insert.optionalString(4)))
                }
                return attempts
            }
            attempts.sort { $0.id < $1.id }
            try db.withStatement("UPDATE submission SET state = 'submitted', slurmJobID = ? WHERE id = ?") {
                try $0.bind(.text(slurmJobID), .integer(submission.id))
                try $0.run()
            }
            return attempts
        }
    }

    /// The error for a submission carrying a unit that is gone: the first such unit in task order.
    private func missingJob(_ submission: SubmissionRecord, _ db: SQLiteConnection) throws -> StoreError {
        let job = try db.withStatement("""
            SELECT job FROM submissionJob s
            WHERE submission = ? AND NOT EXISTS (SELECT 1 FROM jobUnit u WHERE u.request = ? AND u.id = s.job)
            ORDER BY arrayTaskID, job LIMIT 1
            """) {
            try $0.bind(.integer(submission.id), .text(submission.request))
            return try $0.step() ? $0.string(0) : "?"
        }
        return StoreError.unknownJob(path: path, request: submission.request, job: job)
    }

    /// Records that the submission `token` was refused and SLURM holds no job with it; the units
    /// stay as they were (planned) so a later submission can carry them.
    public func markSubmissionFailed(token: String, message: String) throws {
        try write("markSubmissionFailed") { db in
            _ = try submission(token: token, db)
            try db.withStatement("UPDATE submission SET state = 'failed', message = ? WHERE token = ?") {
                try $0.bind(.text(message), .text(token))
                try $0.run()
            }
        }
    }

    /// Applies what reconciliation learned about attempts. When the attempt is its unit's latest,
    /// the unit takes the attempt's state (and, when failed, its reason as `lastError`) — unless
    /// the unit was reset for resume: a late report on the old attempt must not undo the reset.
    ///
    /// An attempt that has ended keeps its terminal state against a stale `queued`/`running`
    /// report (e.g. squeue lagging behind sacct); other fields still fill in.
    /// - Throws: `StoreError.unknownAttempt`; nothing is applied then.
    public func updateAttempts(_ updates: [AttemptUpdate]) throws {
        try write("updateAttempts") { db in
            for update in updates {
                let (request, job, number, current) = try db.withStatement(
                    "SELECT request, job, number, state FROM attempt WHERE id = ?") { row in
                    try row.bind(.integer(update.attempt))
                    guard try row.step() else { throw StoreError.unknownAttempt(path: path, attempt: update.attempt) }
                    let state: JobState = try decode(row, 3, table: "attempt", column: "state")
                    return (row.string(0), row.string(1), row.int(2), state)
                }
                var state = update.state ?? current
                if current.isTerminal && !state.isTerminal { state = current }
                // Warnings are recorded once, when the attempt ends.
                if !update.warnings.isEmpty, state.isTerminal, !current.isTerminal {
                    try db.withStatement("INSERT INTO event (request, job, time, kind, message) VALUES (?,?,?,?,?)") { insert in
                        for warning in update.warnings {
                            try insert.bind(.text(request), .text(job), .real(Date().timeIntervalSince1970),
                                            .text(FarmStore.warningEventKind), .text(warning))
                            try insert.run()
                        }
                    }
                }
                try db.withStatement("""
                    UPDATE attempt SET state = ?, exitCode = COALESCE(?, exitCode), node = COALESCE(?, node),
                        startedAt = COALESCE(?, startedAt), endedAt = COALESCE(?, endedAt),
                        reason = COALESCE(?, reason), logPath = COALESCE(?, logPath)
                    WHERE id = ?
                    """) {
                    try $0.bind(.text(state.rawValue), .integer(update.exitCode.map(Int64.init)), .text(update.node),
                                .real(update.startedAt?.timeIntervalSince1970),
                                .real(update.endedAt?.timeIntervalSince1970), .text(update.reason),
                                .text(update.logPath), .integer(update.attempt))
                    try $0.run()
                }
                try db.withStatement("""
                    UPDATE jobUnit SET state = ?1,
                        lastError = CASE WHEN ?1 = 'failed' THEN COALESCE(?2, lastError)
                                         WHEN ?1 = 'done' THEN NULL ELSE lastError END
                    WHERE request = ?3 AND id = ?4 AND attempts = ?5 AND state <> 'planned'
                    """) {
                    try $0.bind(.text(state.rawValue), .text(update.reason), .text(request), .text(job),
                                .integer(Int64(number)))
                    try $0.run()
                }
            }
        }
    }

    // MARK: Reads inside a transaction

    func submission(token: String, _ db: SQLiteConnection) throws -> SubmissionRecord {
        try db.withStatement("SELECT \(Self.submissionColumns) FROM submission WHERE token = ?") {
            try $0.bind(.text(token))
            guard try $0.step() else { throw StoreError.unknownToken(path: path, token: token) }
            return try submissionRecord($0)
        }
    }

    func submittedJobs(submission: Int64, _ db: SQLiteConnection) throws -> [SubmittedJob] {
        try db.withStatement("""
            SELECT job, arrayTaskID FROM submissionJob WHERE submission = ? ORDER BY arrayTaskID, job
            """) {
            try $0.bind(.integer(submission))
            var jobs: [SubmittedJob] = []
            while try $0.step() { jobs.append(SubmittedJob(job: $0.string(0), arrayTaskID: $0.optionalInt(1))) }
            return jobs
        }
    }

    func attempts(token: String, _ db: SQLiteConnection) throws -> [AttemptRecord] {
        try db.withStatement("SELECT \(Self.attemptColumns) FROM attempt WHERE token = ? ORDER BY arrayTaskID, id") {
            try $0.bind(.text(token))
            var attempts: [AttemptRecord] = []
            while try $0.step() { attempts.append(try attemptRecord($0)) }
            return attempts
        }
    }
}
