/// One frozen step of the schema history. Once released a step is never edited: a change to the
/// schema is a new step appended to `Migrations.all`, because user databases hold submitted SLURM
/// ids and are migrated in place, never wiped.
struct Migration: Sendable {
    /// The `PRAGMA user_version` the database has after this step.
    let version: Int
    let name: String
    let sql: String
}

/// The schema history of the state database, applied in order by `FarmStore`.
enum Migrations {
    static let all: [Migration] = [v1, v2, v3, v4]

    /// The schema version this code writes and reads.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// Brings the database to the newest version in `steps`, one transaction per step, and
    /// refuses a database newer than `steps` knows.
    static func migrate(_ connection: SQLiteConnection, steps: [Migration] = all) throws {
        let supported = steps.last?.version ?? 0
        for step in steps {
            // Re-read inside the transaction: another process may have migrated meanwhile.
            try connection.transaction {
                let current = try version(of: connection)
                if current > supported {
                    throw StoreError.schemaTooNew(path: connection.path, found: current, supported: supported)
                }
                guard current < step.version else { return }
                do {
                    try connection.execute(step.sql)
                } catch let error as StoreError {
                    throw error.within("migration \(step.version) (\(step.name))")
                }
                try connection.execute("PRAGMA user_version = \(step.version)")
            }
        }
        if steps.isEmpty {
            let current = try version(of: connection)
            if current > 0 { throw StoreError.schemaTooNew(path: connection.path, found: current, supported: 0) }
        }
    }

    static func version(of connection: SQLiteConnection) throws -> Int {
        Int(try connection.integer("PRAGMA user_version") ?? 0)
    }

    // MARK: Frozen steps

    /// The first schema. Times are Unix seconds (REAL); lists of runs, channels and ASICs are
    /// JSON arrays; `jobCount` is maintained by triggers so `status` never scans `jobUnit`.
    static let v1 = Migration(version: 1, name: "initial schema", sql: """
        CREATE TABLE request (
            id TEXT NOT NULL PRIMARY KEY,
            createdAt REAL NOT NULL,
            facility TEXT NOT NULL,
            measurement TEXT NOT NULL,
            runs TEXT NOT NULL,
            channels TEXT NOT NULL,
            asics TEXT NOT NULL,
            runType TEXT NOT NULL,
            inputDir TEXT NOT NULL,
            outputDir TEXT NOT NULL,
            executor TEXT NOT NULL,
            configuration TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('planned', 'running', 'done', 'failed', 'cancelled', 'partial')),
            workDir TEXT NOT NULL
        ) STRICT;
        CREATE INDEX request_createdAt ON request(createdAt);

        CREATE TABLE jobUnit (
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            step TEXT NOT NULL,
            runs TEXT NOT NULL,
            channel INTEGER,
            sequence INTEGER,
            asics TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('planned', 'queued', 'running', 'done', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            specPath TEXT,
            resultPath TEXT,
            logPath TEXT,
            lastError TEXT,
            arrayGroup TEXT,
            timeLimit TEXT,
            PRIMARY KEY (request, id)
        ) STRICT;
        CREATE INDEX jobUnit_state ON jobUnit(request, state);

        CREATE TABLE dependency (
            request TEXT NOT NULL,
            job TEXT NOT NULL,
            dependsOn TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('success', 'completion')),
            PRIMARY KEY (request, job, dependsOn),
            FOREIGN KEY (request, job) REFERENCES jobUnit(request, id) ON DELETE CASCADE,
            FOREIGN KEY (request, dependsOn) REFERENCES jobUnit(request, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX dependency_dependsOn ON dependency(request, dependsOn);

        CREATE TABLE submission (
            id INTEGER PRIMARY KEY,
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            arrayGroup TEXT NOT NULL,
            token TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('recorded', 'submitted', 'failed')),
            slurmJobID TEXT,
            createdAt REAL NOT NULL,
            message TEXT
        ) STRICT;
        CREATE INDEX submission_request ON submission(request);

        CREATE TABLE submissionJob (
            submission INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,
            request TEXT NOT NULL,
            job TEXT NOT NULL,
            arrayTaskID INTEGER,
            PRIMARY KEY (submission, job),
            FOREIGN KEY (request, job) REFERENCES jobUnit(request, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX submissionJob_job ON submissionJob(request, job);

        CREATE TABLE attempt (
            id INTEGER PRIMARY KEY,
            request TEXT NOT NULL,
            job TEXT NOT NULL,
            number INTEGER NOT NULL,
            executor TEXT NOT NULL,
            token TEXT,
            slurmJobID TEXT,
            arrayTaskID INTEGER,
            state TEXT NOT NULL
                CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
            exitCode INTEGER,
            node TEXT,
            submittedAt REAL,
            startedAt REAL,
            endedAt REAL,
            logPath TEXT,
            reason TEXT,
            UNIQUE (request, job, number),
            FOREIGN KEY (request, job) REFERENCES jobUnit(request, id) ON DELETE CASCADE
        ) STRICT;
        CREATE INDEX attempt_slurmJob ON attempt(slurmJobID, arrayTaskID);
        CREATE INDEX attempt_token ON attempt(token);
        CREATE INDEX attempt_open ON attempt(request, state) WHERE state IN ('queued', 'running');

        CREATE TABLE event (
            id INTEGER PRIMARY KEY,
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            job TEXT,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            FOREIGN KEY (request, job) REFERENCES jobUnit(request, id) ON DELETE CASCADE
        ) STRICT;
        CREATE INDEX event_job ON event(request, job);

        -- Number of job units per (request, step, state), kept exact by the triggers below so
        -- that status costs O(steps x states) whatever the number of units. Rows may reach n = 0.
        CREATE TABLE jobCount (
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            state TEXT NOT NULL,
            n INTEGER NOT NULL CHECK (n >= 0),
            PRIMARY KEY (request, step, state)
        ) STRICT, WITHOUT ROWID;

        CREATE TRIGGER jobUnit_countInsert AFTER INSERT ON jobUnit BEGIN
            INSERT INTO jobCount (request, step, state, n) VALUES (NEW.request, NEW.step, NEW.state, 1)
                ON CONFLICT (request, step, state) DO UPDATE SET n = n + 1;
        END;

        CREATE TRIGGER jobUnit_countDelete AFTER DELETE ON jobUnit BEGIN
            UPDATE jobCount SET n = n - 1
                WHERE request = OLD.request AND step = OLD.step AND state = OLD.state;
        END;

        CREATE TRIGGER jobUnit_countUpdate AFTER UPDATE OF request, step, state ON jobUnit
            WHEN OLD.request IS NOT NEW.request OR OLD.step IS NOT NEW.step OR OLD.state IS NOT NEW.state
        BEGIN
            UPDATE jobCount SET n = n - 1
                WHERE request = OLD.request AND step = OLD.step AND state = OLD.state;
            INSERT INTO jobCount (request, step, state, n) VALUES (NEW.request, NEW.step, NEW.state, 1)
                ON CONFLICT (request, step, state) DO UPDATE SET n = n + 1;
        END;
        """)

    /// Dependency sets: each distinct dependency list of a request is stored once (its members as
    /// JSON arrays of unit ids, one per kind) and units point at it, instead of one `dependency`
    /// row per edge: every process chunk of a channel shares one list of thousands of gathers,
    /// so the edge product (1.7M rows for a 100k-unit dark) dominated `createRequest`.
    /// `jobUnit.dependencySet` has no foreign key: only `createRequest` writes it, and a key
    /// would need another index on `jobUnit` to delete sets. v1 edges move into sets here.
    static let v2 = Migration(version: 2, name: "dependency sets", sql: """
        CREATE TABLE dependencySet (
            id INTEGER PRIMARY KEY,
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            success TEXT NOT NULL,
            completion TEXT NOT NULL
        ) STRICT;
        CREATE INDEX dependencySet_request ON dependencySet(request);
        ALTER TABLE jobUnit ADD COLUMN dependencySet INTEGER;

        CREATE TEMP TABLE v2List AS
            SELECT request, job,
                   json_group_array(dependsOn) FILTER (WHERE kind = 'success') AS success,
                   json_group_array(dependsOn) FILTER (WHERE kind = 'completion') AS completion
            FROM dependency GROUP BY request, job;
        INSERT INTO dependencySet (request, success, completion)
            SELECT DISTINCT request, success, completion FROM v2List;
        CREATE TEMP TABLE v2Map AS
            SELECT l.request, l.job, s.id FROM v2List l
            JOIN dependencySet s ON s.request = l.request AND s.success = l.success AND s.completion = l.completion;
        CREATE INDEX temp.v2Map_job ON v2Map(request, job);
        UPDATE jobUnit SET dependencySet = m.id FROM v2Map m WHERE m.request = jobUnit.request AND m.job = jobUnit.id;
        DROP TABLE v2Map;
        DROP TABLE v2List;
        DROP TABLE dependency;
        """)

    /// v3: a request whose products a later request replaced (`submit --overwrite`) names that
    /// request; its own state stays what its units say.
    static let v3 = Migration(version: 3, name: "superseded requests", sql: """
        ALTER TABLE request ADD COLUMN supersededBy TEXT;
        """)

    /// v4: leases of a request's controllers. `supervisor`: the one process (a SLURM job) that
    /// follows the request and applies the retry policy; `submitter`: whoever is resetting and
    /// submitting units right now (a retry, `resume`), so two controllers never submit a unit
    /// twice. A lease is held until `expiresAt` (Unix seconds) unless renewed or released.
    static let v4 = Migration(version: 4, name: "controller leases", sql: """
        CREATE TABLE lease (
            request TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('supervisor', 'submitter')),
            holder TEXT NOT NULL,
            acquiredAt REAL NOT NULL,
            expiresAt REAL NOT NULL,
            slurmJobID TEXT,
            PRIMARY KEY (request, role)
        ) STRICT, WITHOUT ROWID;
        """)
}
