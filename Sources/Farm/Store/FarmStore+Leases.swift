import Foundation

/// What a controller process holds a lease of a request for (schema v4, table `lease`).
public enum LeaseRole: String, Sendable, CaseIterable {
    /// Follows the request to its end and applies the retry policy (at most one per request).
    case supervisor
    /// Resets and submits units right now (a retry, `resume`): two never overlap.
    case submitter
}

/// Who holds a lease: a host and process, plus a nonce so a recycled pid is another holder.
public struct LeaseHolder: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var nonce: String

    public init(host: String, pid: Int32, nonce: String) {
        (self.host, self.pid, self.nonce) = (host, pid, nonce)
    }

    /// This process.
    public static let current = LeaseHolder(host: ProcessInfo.processInfo.hostName,
                                            pid: ProcessInfo.processInfo.processIdentifier,
                                            nonce: String(UInt64.random(in: 0...UInt64.max), radix: 36))

    /// `host/pid/nonce`, as stored.
    public var description: String { "\(host)/\(pid)/\(nonce)" }

    init?(stored: String) {
        let parts = stored.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[1]) else { return nil }
        self.init(host: String(parts[0]), pid: pid, nonce: String(parts[2]))
    }

    /// Whether the holder is known to be gone: a process of this host that no longer exists.
    /// A holder on another host is judged by its lease's expiry alone.
    var isGoneFromThisHost: Bool {
        host == ProcessInfo.processInfo.hostName && kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// One row of `lease`.
public struct LeaseRecord: Sendable, Equatable {
    public var request: String
    public var role: LeaseRole
    public var holder: String
    public var acquiredAt: Date
    public var expiresAt: Date
    /// The SLURM job the holder runs in (a supervisor job), if any.
    public var slurmJobID: String?
}

extension FarmStore {
    /// Takes (or renews) `role` of `request` for `holder` until `expiresAt`, in one write
    /// transaction: granted when nobody holds it, the holder is `holder` itself, the lease has
    /// expired, or its holder was a process of this host that has died.
    /// - Returns: nil when granted, else the lease that stands in the way.
    public func acquireLease(request: String, role: LeaseRole, holder: LeaseHolder, expiresAt: Date,
                             slurmJobID: String? = nil, now: Date = Date()) throws -> LeaseRecord? {
        try write("acquireLease") { db in
            if let existing = try lease(request: request, role: role, db), existing.holder != holder.description,
               existing.expiresAt > now, !(LeaseHolder(stored: existing.holder)?.isGoneFromThisHost ?? false) {
                return existing
            }
            try db.withStatement("""
                INSERT INTO lease (request, role, holder, acquiredAt, expiresAt, slurmJobID) VALUES (?,?,?,?,?,?)
                ON CONFLICT (request, role) DO UPDATE SET
                    acquiredAt = CASE WHEN holder = excluded.holder THEN acquiredAt ELSE excluded.acquiredAt END,
                    holder = excluded.holder, expiresAt = excluded.expiresAt, slurmJobID = excluded.slurmJobID
                """) {
                try $0.bind(.text(request), .text(role.rawValue), .text(holder.description),
                            .real(now.timeIntervalSince1970), .real(expiresAt.timeIntervalSince1970), .text(slurmJobID))
                try $0.run()
            }
            return nil
        }
    }

    /// Gives the lease up if `holder` still holds it.
    public func releaseLease(request: String, role: LeaseRole, holder: LeaseHolder) throws {
        try write("releaseLease") { db in
            try db.withStatement("DELETE FROM lease WHERE request = ? AND role = ? AND holder = ?") {
                try $0.bind(.text(request), .text(role.rawValue), .text(holder.description))
                try $0.run()
            }
        }
    }

    /// The lease of `role`, expired or not.
    public func lease(request: String, role: LeaseRole) throws -> LeaseRecord? {
        try read("lease") { try lease(request: request, role: role, $0) }
    }

    private func lease(request: String, role: LeaseRole, _ db: SQLiteConnection) throws -> LeaseRecord? {
        try db.withStatement("SELECT holder, acquiredAt, expiresAt, slurmJobID FROM lease WHERE request = ? AND role = ?") {
            try $0.bind(.text(request), .text(role.rawValue))
            guard try $0.step() else { return nil }
            return LeaseRecord(request: request, role: role, holder: $0.string(0),
                               acquiredAt: Date(timeIntervalSince1970: $0.double(1)),
                               expiresAt: Date(timeIntervalSince1970: $0.double(2)), slurmJobID: $0.optionalString(3))
        }
    }
}
