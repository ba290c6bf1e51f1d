import Foundation

/// The one JSON dialect of specs and results: sorted keys, ISO 8601 dates, pretty-printed so a
/// person can read a result file in a log directory.
public enum ContractJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }

    /// Reads and decodes a file, naming it in the error.
    public static func read<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ContractError.unreadable(path: path, reason: error.localizedDescription)
        }
        do {
            return try decode(type, from: data)
        } catch {
            throw ContractError.malformed(path: path, reason: String(describing: error))
        }
    }

    /// Reads a file whose top level carries `formatVersion`, checking the version before decoding
    /// so a file from a newer CalFarm fails with a clear message rather than a missing key.
    public static func read<T: Decodable>(_ type: T.Type, at path: String, formatVersion supported: Int) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ContractError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(type, from: data, formatVersion: supported, path: path)
    }

    /// Decodes one versioned JSON object (a file, or line 1 of a spec file), checking its
    /// `formatVersion` first. Errors name `path`, prefixed by `place` (e.g. "line 1 (header): ").
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, formatVersion supported: Int,
                                            path: String, place: String = "") throws -> T {
        let version: Int?
        do {
            version = try decode(VersionProbe.self, from: data).formatVersion
        } catch {
            throw ContractError.malformed(path: path, reason: place + String(describing: error))
        }
        guard let version else { throw ContractError.malformed(path: path, reason: place + "no formatVersion") }
        guard version == supported else {
            throw ContractError.unsupportedVersion(path: path, found: version, supported: supported)
        }
        do {
            return try decode(type, from: data)
        } catch {
            throw ContractError.malformed(path: path, reason: place + String(describing: error))
        }
    }

    /// Encodes and writes a file atomically (temporary name, then rename).
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(try encode(value), to: path)
    }
}

/// The one field every versioned file has at its top level (optional, to say when it is missing).
private struct VersionProbe: Decodable { var formatVersion: Int? }

/// Errors of the controller–worker contract.
public enum ContractError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case unsupportedVersion(path: String, found: Int, supported: Int)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .malformed(path, reason): "\(path) is not a valid file of this kind: \(reason)"
        case let .unsupportedVersion(path, found, supported):
            "\(path) has format version \(found); this build understands \(supported)"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
