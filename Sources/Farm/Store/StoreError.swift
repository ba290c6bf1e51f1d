/// Errors of the state database. Each case names the database file, and where it applies the
/// operation (store method and SQL) and SQLite's own message.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory that should hold the database could not be created.
    case cannotCreateDirectory(path: String, message: String)
    /// sqlite3_open_v2 failed (missing file when opened read-only, permissions, not a database).
    case cannotOpen(path: String, message: String)
    /// Another connection held the lock for longer than the busy timeout ("database is locked").
    case locked(path: String, operation: String, message: String)
    /// A constraint (primary key, unique, foreign key, check) rejected a write; nothing was written.
    case constraint(path: String, operation: String, message: String)
    /// Any other failed SQLite call, with its result code.
    case sqlite(path: String, operation: String, code: Int, message: String)
    /// The database was written by a newer CalFarm; this version refuses to touch it.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// A read-only open found a schema older than this version needs (open it read-write once).
    case schemaTooOld(path: String, found: Int, required: Int)
    /// A value in a column cannot be read back (e.g. an unknown job state).
    case corruptValue(path: String, table: String, column: String, value: String)
    case unknownRequest(path: String, request: String)
    case unknownJob(path: String, request: String, job: String)
    case unknownToken(path: String, token: String)
    case unknownAttempt(path: String, attempt: Int64)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, message):
            return "cannot create the directory for the state database \(path): \(message)"
        case let .cannotOpen(path, message):
            return "cannot open the state database \(path): \(message)"
        case let .locked(path, operation, message):
            return "the state database \(path) stayed locked by another process beyond the busy timeout "
                + "during \(operation): \(message) (is another calfarm controller writing to it?)"
        case let .constraint(path, operation, message):
            return "the state database \(path) rejected \(operation): \(message); nothing was written"
        case let .sqlite(path, operation, code, message):
            return "SQLite error \(code) on \(path) during \(operation): \(message)"
        case let .schemaTooNew(path, found, supported):
            return "the state database \(path) has schema version \(found), newer than the \(supported) "
                + "this calfarm understands; use a newer calfarm (the database is left untouched)"
        case let .schemaTooOld(path, found, required):
            return "the state database \(path) has schema version \(found) but \(required) is needed; "
                + "open it once read-write (any calfarm command that writes) to migrate it"
        case let .corruptValue(path, table, column, value):
            return "unreadable value '\(value)' in \(table).\(column) of \(path)"
        case let .unknownRequest(path, request):
            return "no request '\(request)' in \(path)"
        case let .unknownJob(path, request, job):
            return "no job unit '\(job)' in request '\(request)' in \(path)"
        case let .unknownToken(path, token):
            return "no submission with token '\(token)' in \(path)"
        case let .unknownAttempt(path, attempt):
            return "no attempt \(attempt) in \(path)"
        }
    }

    /// The same error with the store method that ran the SQL named in front of it.
    func within(_ method: String) -> StoreError {
        switch self {
        case let .locked(path, operation, message):
            return .locked(path: path, operation: "\(method) (\(operation))", message: message)
        case let .constraint(path, operation, message):
            return .constraint(path: path, operation: "\(method) (\(operation))", message: message)
        case let .sqlite(path, operation, code, message):
            return .sqlite(path: path, operation: "\(method) (\(operation))", code: code, message: message)
        default:
            return self
        }
    }
}
