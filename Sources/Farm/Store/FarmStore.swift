import Foundation

/// The controller's state database: requests, job units, dependencies, submissions, attempts
/// and events in one SQLite file.
///
/// One `FarmStore` owns one connection. The controller is the only writer (workers report
/// through result files and never open the database); other processes, such as a second
/// `calfarm status`, may open it read-only at the same time. Every write method runs one
/// transaction: it is applied completely or not at all. Calls from several threads are
/// serialised by an internal lock.
public final class FarmStore: @unchecked Sendable {  // all mutable state is behind `lock`
    /// The database file.
    public let path: String
    /// The journal mode in effect (see `JournalModePolicy`).
    public let journalMode: JournalMode
    /// The filesystem holding the database, which decided `journalMode` under `.auto`.
    public let filesystem: FilesystemKind
    public let isReadOnly: Bool

    let connection: SQLiteConnection
    private let lock = NSLock()

    /// The schema version this code reads and writes.
    public static var schemaVersion: Int { Migrations.latestVersion }

    /// Opens the database at `path`, creating it and its parent directories if needed, and
    /// migrates it to the current schema.
    ///
    /// - Parameters:
    ///   - path: The database file; the caller picks the default (e.g. `~/.calfarm/calfarm.sqlite`).
    ///   - journal: `.auto` uses WAL on a local filesystem and the rollback journal (DELETE) on
    ///     a network or cluster filesystem, where WAL is unsafe.
    ///   - busyTimeout: How long a statement waits for another process's lock before failing
    ///     with `StoreError.locked`.
    ///   - readOnly: Open an existing database without writing (no creation, no migration, no
    ///     journal-mode change); the schema must be exactly the current one.
    /// - Throws: `StoreError` (`cannotCreateDirectory`, `cannotOpen`, `schemaTooNew`,
    ///   `schemaTooOld`, `locked`, `sqlite`).
    public convenience init(path: String, journal: JournalModePolicy = .auto,
                            busyTimeout: Duration = .seconds(10), readOnly: Bool = false) throws {
        try self.init(path: path, journal: journal, busyTimeout: busyTimeout, readOnly: readOnly,
                      migrations: Migrations.all)
    }

    /// As the public initializer, with an explicit schema history (tests migrate step by step).
    init(path: String, journal: JournalModePolicy, busyTimeout: Duration, readOnly: Bool,
         migrations: [Migration]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !readOnly && !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotCreateDirectory(path: path, message: "\(error.localizedDescription)")
            }
        }
        let connection = try SQLiteConnection(path: path, readOnly: readOnly, create: !readOnly)
        let milliseconds = busyTimeout.components.seconds * 1000
            + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        try connection.setBusyTimeout(milliseconds: Int(milliseconds))
        try connection.execute("PRAGMA foreign_keys = ON")

        let resolved = journal.resolve(forDirectory: directory.isEmpty ? "." : directory)
        let mode: JournalMode
        if readOnly {
            mode = try connection.text("PRAGMA journal_mode")?.lowercased() == "wal" ? .wal : .delete
            let found = try Migrations.version(of: connection)
            let current = migrations.last?.version ?? 0
            if found > current {
                throw StoreError.schemaTooNew(path: path, found: found, supported: current)
            }
            if found < current { throw StoreError.schemaTooOld(path: path, found: found, required: current) }
        } else {
            // The pragma answers with the mode now in effect, which is what we report.
            let answer = try connection.text("PRAGMA journal_mode = \(resolved.mode.pragmaValue)")
            mode = answer?.lowercased() == "wal" ? .wal : .delete
            // FULL even in WAL: a recorded submission token must survive a power cut, and
            // commits are few (each write method is one transaction).
            try connection.execute("PRAGMA synchronous = FULL")
            try Migrations.migrate(connection, steps: migrations)
        }
        self.path = path
        self.connection = connection
        self.journalMode = mode
        self.filesystem = resolved.filesystem
        self.isReadOnly = readOnly
    }

    /// Runs `body` as one write transaction under the lock; errors name `method`.
    func write<T>(_ method: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try connection.transaction(immediate: true) { try body(connection) }
        } catch let error as StoreError {
            throw error.within(method)
        }
    }

    /// Runs `body` as one read transaction (a consistent snapshot) under the lock.
    func read<T>(_ method: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try connection.transaction(immediate: false) { try body(connection) }
        } catch let error as StoreError {
            throw error.within(method)
        }
    }
}
