// The only file of the package that imports the SQLite C module: every sqlite3_* call of the
// store goes through `SQLiteConnection` and `SQLiteStatement`, which check result codes and turn
// them into `StoreError`s carrying the database path, the SQL and sqlite3_errmsg.
internal import CSQLite

/// One open SQLite database handle, with a cache of prepared statements.
///
/// Not thread-safe by itself: `FarmStore` serialises all use behind its lock, so the handle is
/// opened in SQLite's multi-thread mode (no mutex of its own).
final class SQLiteConnection {
    let path: String
    private let handle: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens (and with `create`, creates) the database file at `path`.
    init(path: String, readOnly: Bool, create: Bool) throws {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw StoreError.cannotOpen(path: path, message: message)
        }
        handle = db
    }

    deinit {
        for statement in cache.values { statement.finalize() }
        sqlite3_close_v2(handle)
    }

    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    func setBusyTimeout(milliseconds: Int) throws {
        try check(sqlite3_busy_timeout(handle, Int32(clamping: milliseconds)), sql: "busy_timeout")
    }

    /// Runs one or more statements that return no rows we need.
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? currentMessage
            sqlite3_free(errorMessage)
            throw StoreError.make(path: path, sql: sql, code: rc, message: message)
        }
    }

    /// Prepares `sql` once per connection and hands the statement, reset and unbound, to `body`.
    /// The statement is reset again afterwards, so locks taken by reading are released.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let statement: SQLiteStatement
        if let cached = cache[sql] {
            statement = cached
        } else {
            var raw: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
            guard rc == SQLITE_OK, let raw else {
                throw StoreError.make(path: path, sql: sql, code: rc, message: currentMessage)
            }
            statement = SQLiteStatement(raw, connection: self, sql: sql)
            cache[sql] = statement
        }
        defer { statement.reset() }
        return try body(statement)
    }

    /// The first column of the first row of `sql` as an integer (for PRAGMAs and counts).
    func integer(_ sql: String) throws -> Int64? {
        try withStatement(sql) { statement in
            try statement.step() ? statement.int64(0) : nil
        }
    }

    /// The first column of the first row of `sql` as text.
    func text(_ sql: String) throws -> String? {
        try withStatement(sql) { statement in
            try statement.step() ? statement.string(0) : nil
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; any error rolls everything back.
    /// Writers pass `immediate`: it takes the write lock up front, so a competing writer waits in
    /// the busy handler instead of failing later on a read-to-write lock upgrade that the busy
    /// handler cannot resolve.
    func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // After some errors (e.g. SQLITE_FULL) SQLite has already rolled back; ignore that case.
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
    static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    fileprivate var currentMessage: String { String(cString: sqlite3_errmsg(handle)) }

    fileprivate func check(_ rc: Int32, sql: String) throws {
        if rc != SQLITE_OK {
            throw StoreError.make(path: path, sql: sql, code: rc, message: currentMessage)
        }
    }
}

/// A prepared statement owned by a `SQLiteConnection`'s cache. Parameter indexes start at 1,
/// column indexes at 0, as in the C API.
final class SQLiteStatement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection
    let sql: String

    fileprivate init(_ raw: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.raw = raw
        self.connection = connection
        self.sql = sql
    }

    fileprivate func finalize() { sqlite3_finalize(raw) }

    fileprivate func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    // MARK: Binding

    func bind(_ value: String?, at index: Int32) throws {
        guard let value else { return try bindNull(at: index) }
        // The byte count is known for native strings; passing it spares SQLite a strlen.
        try connection.check(sqlite3_bind_text(raw, index, value, Int32(value.utf8.count), csqlite_transient()),
                             sql: sql)
    }

    func bind(_ value: Int?, at index: Int32) throws {
        guard let value else { return try bindNull(at: index) }
        try connection.check(sqlite3_bind_int64(raw, index, Int64(value)), sql: sql)
    }

    func bind(_ value: Int64?, at index: Int32) throws {
        guard let value else { return try bindNull(at: index) }
        try connection.check(sqlite3_bind_int64(raw, index, value), sql: sql)
    }

    func bind(_ value: Double?, at index: Int32) throws {
        guard let value else { return try bindNull(at: index) }
        try connection.check(sqlite3_bind_double(raw, index, value), sql: sql)
    }

    func bindNull(at index: Int32) throws {
        try connection.check(sqlite3_bind_null(raw, index), sql: sql)
    }

    /// Binds the values in order to parameters 1, 2, … (for statements with few parameters).
    func bind(_ values: SQLiteValue...) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .text(let text): try bind(text, at: index)
            case .integer(let integer): try bind(integer, at: index)
            case .real(let real): try bind(real, at: index)
            case .null: try bindNull(at: index)
            }
        }
    }

    // MARK: Stepping

    /// Advances to the next row; `false` when the statement has finished.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(raw) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            throw StoreError.make(path: connection.path, sql: sql, code: rc, message: connection.currentMessage)
        }
    }

    /// Runs the statement to completion, then resets it for the next set of bindings.
    func run() throws {
        while try step() {}
        sqlite3_reset(raw)
    }

    // MARK: Columns

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }

    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: text)
    }

    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
}

/// A parameter value for `SQLiteStatement.bind(_:)`.
enum SQLiteValue {
    case text(String?)
    case integer(Int64?)
    case real(Double?)
    case null
}

extension StoreError {
    /// Classifies a failed sqlite3 call: lock timeouts and constraint violations get their own cases.
    fileprivate static func make(path: String, sql: String, code: Int32, message: String) -> StoreError {
        let sql = summary(of: sql)
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return .locked(path: path, operation: sql, message: message)
        case SQLITE_CONSTRAINT:
            return .constraint(path: path, operation: sql, message: message)
        default:
            return .sqlite(path: path, operation: sql, code: Int(code), message: message)
        }
    }

    /// The SQL on one line, cut to a readable length, for error messages.
    private static func summary(of sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        let line = words.joined(separator: " ")
        return line.count > 100 ? String(line.prefix(100)) + "…" : line
    }
}
