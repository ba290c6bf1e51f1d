import Foundation

/// Filesystem checks made before anything is planned or submitted.
enum Preflight {
    static func checkInputDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PlanError.missingInputDirectory(path: path)
        }
        guard isDirectory.boolValue else { throw PlanError.notADirectory(path: path) }
    }

    static func checkDirectory(_ path: String, what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PlanError.missingDirectory(path: path, what: what)
        }
        guard isDirectory.boolValue else { throw PlanError.notADirectory(path: path) }
    }

    /// Creates and removes a probe file in `path`, or, if `path` does not exist yet, in its nearest
    /// existing ancestor (the output directory is created at submission, not while planning).
    /// Permission bits alone would mislead (root, ACLs, read-only mounts), so it really writes.
    static func checkWritable(_ path: String) throws {
        var directory = path.isEmpty ? "." : path
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { directory = "."; break }
            directory = parent
        }
        _ = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        guard isDirectory.boolValue else {
            throw PlanError.outputNotWritable(path: path, reason: "\(directory) is not a directory")
        }
        let probe = "\(directory)/.calfarm-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else {
            throw PlanError.outputNotWritable(path: path, reason: "cannot create a file in \(directory): "
                                              + String(cString: strerror(errno)))
        }
        close(fd)
        unlink(probe)
    }
}
