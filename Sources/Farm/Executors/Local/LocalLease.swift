import Foundation

/// The local executor's lease on a request: `<work dir>/local.lease`, flock'ed shared by the
/// controller that runs the request's units and by each of its workers for their lifetime. The
/// kernel drops a lock when its holder dies (SIGKILL, reboot), so "the exclusive lock can be
/// taken" means that no process that could still end one of the request's attempts is alive:
/// attempts the database calls queued or running are then orphans (`Farm.reclaimOrphans`).
/// Only meaningful on one machine, which is what the local executor is.
final class LocalLease {
    static let fileName = "local.lease"
    /// The environment variable through which workers learn the lease's path.
    static let environmentKey = "CALFARM_LOCAL_LEASE"

    let path: String
    private let descriptor: Int32

    /// Opens (creating) the lease file and takes a shared lock, waiting for no one but an
    /// exclusive holder (a reclaim in progress, which is short).
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FarmError.io(path: path, reason: "cannot open the local executor's lease: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_SH) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FarmError.io(path: path, reason: "cannot lock the local executor's lease: \(reason)")
        }
    }

    deinit { close(descriptor) }

    /// Runs `body` if nobody holds the lease (no controller or worker of the request is alive),
    /// holding it exclusively meanwhile; returns nil, without running it, if someone does.
    static func withNoHolder<T>(path: String, _ body: () throws -> T) throws -> T? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FarmError.io(path: path, reason: "cannot open the local executor's lease: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return nil }
        return try body()
    }
}
