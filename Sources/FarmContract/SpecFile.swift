import Foundation

/// The specs of one submitted array: JSON Lines, one `JobSpec` per line, line N for array task N.
/// One file per array keeps submission cheap (100,000 units are a few files, not 100,000) and
/// lets a task find its spec without parsing the others.
public enum SpecFile {
    /// Writes the specs atomically, one compact JSON object per line.
    public static func write(_ specs: [JobSpec], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        data.reserveCapacity(specs.count * 512)
        for spec in specs {
            do {
                data.append(try encoder.encode(spec))
            } catch {
                throw ContractError.writeFailed(path: path, reason: "cannot encode \(spec.job): \(error)")
            }
            data.append(0x0A)
        }
        try AtomicFile.write(data, to: path)
    }

    /// Reads the spec on line `index` (0-based).
    public static func read(at path: String, index: Int) throws -> JobSpec {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ContractError.unreadable(path: path, reason: error.localizedDescription)
        }
        var line = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            if line == index {
                do {
                    return try ContractJSON.decode(JobSpec.self, from: data[start..<end])
                } catch {
                    throw ContractError.malformed(path: path, reason: "line \(index + 1): \(error)")
                }
            }
            line += 1
            start = end < data.endIndex ? data.index(after: end) : end
        }
        throw ContractError.malformed(path: path, reason: "has \(line) specs; task index \(index) is out of range")
    }

    /// Reads every spec (controller side: plan output, tests).
    public static func readAll(at path: String) throws -> [JobSpec] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ContractError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try text.split(separator: "\n").enumerated().map { n, line in
            do {
                return try ContractJSON.decode(JobSpec.self, from: Data(line.utf8))
            } catch {
                throw ContractError.malformed(path: path, reason: "line \(n + 1): \(error)")
            }
        }
    }
}
