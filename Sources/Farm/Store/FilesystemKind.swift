import Foundation
#if canImport(Darwin)
import Darwin
#endif

/// The filesystem a path lives on, as far as the journal-mode choice cares.
public struct FilesystemKind: Sendable, Equatable, CustomStringConvertible {
    /// The filesystem type as the kernel names it (`ext4`, `nfs4`, `lustre`, `gpfs`, `fuse.sshfs`),
    /// or `unknown`.
    public var name: String
    /// Network or cluster filesystem (possibly mounted on several hosts): WAL is unsafe there.
    public var isShared: Bool

    public init(name: String, isShared: Bool) {
        self.name = name
        self.isShared = isShared
    }

    public var description: String { name + (isShared ? " (network/cluster)" : " (local)") }

    /// Filesystems known to live on one host. Everything else, including types this list does
    /// not know, counts as shared: the rollback journal works everywhere, WAL does not.
    static let localTypes: Set<String> = [
        "ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs", "jfs", "reiserfs",
        "bcachefs", "ramfs", "vfat", "exfat", "ntfs", "ntfs3", "hfs", "hfsplus", "apfs", "ufs",
    ]

    /// The type names of common network and cluster filesystems, for the record; they and any
    /// other type outside `localTypes` count as shared.
    static let knownSharedTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "lustre", "gpfs", "beegfs", "ceph", "glusterfs",
        "afs", "coda", "ncpfs", "9p", "virtiofs", "panfs", "pvfs2", "orangefs", "gfs2", "ocfs2",
        "afpfs", "webdav", "davfs",
    ]

    /// Classifies a filesystem type name; FUSE mounts (`fuse.*`, CephFS or GlusterFS clients,
    /// sshfs) count as shared.
    public static func classify(typeName: String) -> FilesystemKind {
        FilesystemKind(name: typeName, isShared: !localTypes.contains(typeName))
    }

    /// The filesystem holding `path` (which must exist; pass the database's directory).
    ///
    /// On Linux this is the mount with the longest mount point containing the resolved path in
    /// `/proc/self/mountinfo` (as `findmnt -T` does; the module map of Glibc has no `statfs`).
    public static func of(path: String) -> FilesystemKind {
        #if canImport(Darwin)
        var info = statfs()
        guard statfs(path, &info) == 0 else { return FilesystemKind(name: "unknown", isShared: true) }
        let name = withUnsafeBytes(of: info.f_fstypename) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return classify(typeName: name)
        #else
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
            return FilesystemKind(name: "unknown", isShared: true)
        }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let type = mountType(of: resolved, mountinfo: table) else {
            return FilesystemKind(name: "unknown", isShared: true)
        }
        return classify(typeName: type)
        #endif
    }

    /// The filesystem type of the mount holding the absolute `path`, from mountinfo text.
    /// Later lines win among equal mount points (a mount stacked over another).
    static func mountType(of path: String, mountinfo: String) -> String? {
        var best: (length: Int, type: String)?
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 7, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mountPoint = unescape(String(fields[4]))
            guard contains(mountPoint: mountPoint, path: path) else { continue }
            if best == nil || mountPoint.count >= best!.length {
                best = (mountPoint.count, String(fields[dash + 1]))
            }
        }
        return best?.type
    }

    private static func contains(mountPoint: String, path: String) -> Bool {
        if mountPoint == "/" || mountPoint == path { return true }
        return path.hasPrefix(mountPoint + "/")
    }

    /// mountinfo writes space, tab, newline and backslash as octal escapes (`\040`).
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
