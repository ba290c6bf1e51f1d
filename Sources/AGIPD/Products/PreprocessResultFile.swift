import Foundation

extension PreprocessResult {
    /// Why a preprocess result could not be read or written; every case names the file.
    public enum FileError: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case unsupportedVersion(path: String, found: Int, supported: Int)
        case writeFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): "cannot read preprocess result \(path): \(reason)"
            case let .malformed(path, reason): "\(path) is not a valid preprocess result: \(reason)"
            case let .unsupportedVersion(path, found, supported):
                "preprocess result \(path) has format version \(found); this build understands \(supported)"
            case let .writeFailed(path, reason): "cannot write preprocess result \(path): \(reason)"
            }
        }
    }

    /// Reads a result written by `write(to:)`.
    public static func read(from path: String) throws -> PreprocessResult {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileError.unreadable(path: path, reason: error.localizedDescription)
        }
        // Check the version first so a future format fails with a clear message, not a key error.
        struct VersionProbe: Decodable { var formatVersion: Int }
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: data) else {
            throw FileError.malformed(path: path, reason: "no integer formatVersion at the top level")
        }
        guard probe.formatVersion == currentFormatVersion else {
            throw FileError.unsupportedVersion(path: path, found: probe.formatVersion, supported: currentFormatVersion)
        }
        do {
            return try JSONDecoder().decode(PreprocessResult.self, from: data)
        } catch {
            throw FileError.malformed(path: path, reason: String(describing: error))
        }
    }

    /// The JSON text: sorted keys, pretty-printed.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the result atomically: a temporary sibling, then rename, so a killed job never
    /// leaves a partial file under the final name. Creates the parent directory.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try encoded().write(to: URL(fileURLWithPath: temporary))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FileError.writeFailed(path: path, reason: String(describing: error))
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw FileError.writeFailed(path: path, reason: "rename from \(temporary): \(reason)")
        }
    }
}
