import Foundation

/// Completion staging: every product and result is written under a temporary name in its final
/// directory and renamed into place only when complete, so a killed job never leaves a file
/// that later counts as done (rename(2) is atomic within one filesystem).
public enum AtomicFile {
    /// The temporary sibling used while `path` is being written. Unique per process so two
    /// attempts racing on one output never share a temporary file.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        return "\(dir)/.\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Writes `data` to `path` atomically, creating the parent directory.
    public static func write(_ data: Data, to path: String) throws {
        try createParent(of: path)
        let tmp = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw ContractError.writeFailed(path: path, reason: error.localizedDescription)
        }
        try commit(temporary: tmp, to: path)
    }

    /// Renames a finished temporary file into place (replacing an older product).
    public static func commit(temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ContractError.writeFailed(path: path, reason: "rename from \(temporary): \(reason)")
        }
    }

    public static func createParent(of path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ContractError.writeFailed(path: path, reason: "cannot create \(dir): \(error.localizedDescription)")
        }
    }
}
