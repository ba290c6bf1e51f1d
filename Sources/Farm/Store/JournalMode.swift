/// SQLite journal mode of the state database.
///
/// WAL lets `status` read while the controller writes, but its shared-memory index needs every
/// process on one host and does not work over a network filesystem (sqlite.org/wal.html); the
/// rollback journal (`DELETE`) relies only on file locks and is the safe choice there.
public enum JournalMode: String, Sendable, CaseIterable {
    case wal, delete

    /// The value of `PRAGMA journal_mode`.
    var pragmaValue: String { self == .wal ? "WAL" : "DELETE" }
}

/// How `FarmStore` picks the journal mode: from where the database lives, or forced.
public enum JournalModePolicy: String, Sendable, CaseIterable {
    /// WAL on a local filesystem, DELETE on a network or cluster filesystem (or if unknown).
    case auto
    case wal
    case delete

    /// The mode for a database in `directory`, with the filesystem that decided it.
    public func resolve(forDirectory directory: String) -> (mode: JournalMode, filesystem: FilesystemKind) {
        let filesystem = FilesystemKind.of(path: directory)
        return (mode(on: filesystem), filesystem)
    }

    /// The mode for a database on `filesystem`.
    public func mode(on filesystem: FilesystemKind) -> JournalMode {
        switch self {
        case .wal: return .wal
        case .delete: return .delete
        case .auto: return filesystem.isShared ? .delete : .wal
        }
    }
}
