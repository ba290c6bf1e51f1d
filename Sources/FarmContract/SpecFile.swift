import Foundation

/// The specs of one submitted array, as JSON Lines: line 1 is a header with what every spec of
/// the array shares (directories, step, parameters, the effective configuration …), then line
/// k + 1 holds what differs for array task k (job id, runs, channels, sequence, ASICs, result
/// file). One file per array keeps submission cheap (100,000 units are a few files), writing the
/// shared part once keeps it small (the configuration alone was ~70 % of a full spec), and a task
/// finds its line without decoding the others. Layout: docs/formats.md §7.
public enum SpecFile {
    /// Version of the file layout. Independent of ``JobSpec/currentFormatVersion`` (the meaning
    /// of the fields); layout 1 was one complete `JobSpec` per line.
    public static let currentFormatVersion = 2

    /// Writes the specs atomically: the header via `JSONEncoder`, the task lines by hand (a
    /// `JSONEncoder` per spec cost ~17 µs, 1.7 s for a 100,000-unit request).
    public static func write(_ specs: [JobSpec], to path: String) throws {
        for spec in specs where spec.formatVersion != JobSpec.currentFormatVersion {
            throw ContractError.writeFailed(path: path, reason: "spec \(spec.job) has JobSpec format version "
                                            + "\(spec.formatVersion); this build writes \(JobSpec.currentFormatVersion)")
        }
        let header = SpecFileHeader(sharedBy: specs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let headerBytes: Data
        do {
            headerBytes = try encoder.encode(header)
        } catch {
            throw ContractError.writeFailed(path: path, reason: "cannot encode the header: \(error)")
        }
        var writer = SpecLineWriter(capacity: headerBytes.count + 1 + specs.count * 160)
        writer.bytes.append(contentsOf: headerBytes)
        writer.bytes.append(0x0A)
        for i in specs.indices {
            writer.appendTask(specs[i], header: header)
        }
        try AtomicFile.write(Data(writer.bytes), to: path)
    }

    /// Reads the spec of array task `index + 1` (0-based `index`), decoding only the header and
    /// that task's line.
    public static func read(at path: String, index: Int) throws -> JobSpec {
        let data = try map(path)
        let (header, firstTask) = try readHeader(data, path: path)
        guard index >= 0, index < header.count else {
            throw ContractError.malformed(path: path, reason: "has \(header.count) specs; task index \(index) is out of range")
        }
        var start = firstTask
        for done in 0..<index {
            guard let end = lineEnd(data, from: start) else {
                throw ContractError.malformed(path: path, reason: "ends after \(done) of \(header.count) task lines")
            }
            start = end + 1
        }
        guard let end = lineEnd(data, from: start) else {
            throw ContractError.malformed(path: path, reason: "ends after \(index) of \(header.count) task lines")
        }
        return try decodeTask(data.subdata(in: start..<end), header: header, line: index + 2, path: path,
                              decoder: JSONDecoder())
    }

    /// Reads every spec (controller side and tests), checking the header's count.
    public static func readAll(at path: String) throws -> [JobSpec] {
        let data = try map(path)
        let (header, firstTask) = try readHeader(data, path: path)
        let decoder = JSONDecoder()
        var specs: [JobSpec] = []
        specs.reserveCapacity(header.count)
        var start = firstTask
        while start < data.count {
            guard specs.count < header.count else {
                throw ContractError.malformed(path: path, reason: "has more task lines than the header's \(header.count)")
            }
            let end = lineEnd(data, from: start) ?? data.count
            specs.append(try decodeTask(data.subdata(in: start..<end), header: header, line: specs.count + 2,
                                        path: path, decoder: decoder))
            start = end + 1
        }
        guard specs.count == header.count else {
            throw ContractError.malformed(path: path, reason: "ends after \(specs.count) of \(header.count) task lines")
        }
        return specs
    }

    private static func map(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ContractError.unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// Offset of the newline ending the line that starts at `start`; nil at the end of the data
    /// (an unterminated last line counts as a line only for `readAll`).
    private static func lineEnd(_ data: Data, from start: Int) -> Int? {
        guard start < data.count else { return nil }
        return data.withUnsafeBytes { raw -> Int? in
            let base = raw.baseAddress!
            guard let hit = memchr(base + start, 0x0A, raw.count - start) else { return raw.count }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Decodes line 1, checking the version before the other fields so that a file of another
    /// layout fails with a version message rather than a missing key.
    private static func readHeader(_ data: Data, path: String) throws -> (SpecFileHeader, firstTask: Int) {
        guard let end = lineEnd(data, from: 0), end > 0 else {
            throw ContractError.malformed(path: path, reason: "no header line")
        }
        let header = try ContractJSON.decode(SpecFileHeader.self, from: data.subdata(in: 0..<end),
                                             formatVersion: currentFormatVersion, path: path, place: "line 1 (header): ")
        guard header.count >= 0 else {
            throw ContractError.malformed(path: path, reason: "line 1 (header): negative count \(header.count)")
        }
        return (header, end + 1)
    }

    private static func decodeTask(_ line: Data, header: SpecFileHeader, line number: Int, path: String,
                                   decoder: JSONDecoder) throws -> JobSpec {
        let task: SpecFileTask
        do {
            task = try decoder.decode(SpecFileTask.self, from: line)
        } catch {
            throw ContractError.malformed(path: path, reason: "line \(number): \(error)")
        }
        func field<T>(_ own: T?, _ shared: T?, _ key: String) throws -> T {
            guard let value = own ?? shared else {
                throw ContractError.malformed(path: path, reason: "line \(number): no \(key) in the task line or the header")
            }
            return value
        }
        var parameters = header.parameters
        if let own = task.parameters { parameters.merge(own) { $1 } }
        return JobSpec(
            request: try field(task.request, header.request, "request"), job: task.job,
            step: try field(task.step, header.step, "step"),
            measurement: try field(task.measurement, header.measurement, "measurement"),
            facility: try field(task.facility, header.facility, "facility"),
            inputDir: try field(task.inputDir, header.inputDir, "inputDir"),
            outputDir: try field(task.outputDir, header.outputDir, "outputDir"),
            runs: task.runs, channels: task.channels, sequence: task.sequence, asics: task.asics ?? [],
            detectorString: try field(task.detectorString, header.detectorString, "detectorString"),
            resultPath: (header.resultDirectory ?? "") + task.result, parameters: parameters,
            configuration: try field(task.configuration, header.configuration, "configuration"))
    }
}

/// Line 1 of a spec file. The shared fields are those of the first spec (a task line overrides
/// any that differ for it); `parameters` are the entries equal in every spec; `resultDirectory`
/// (ending in `/`) prefixes every task's `result` when all result paths share it.
struct SpecFileHeader: Codable {
    var formatVersion = SpecFile.currentFormatVersion
    var count: Int
    var request: String?
    var step: Step?
    var measurement: Measurement?
    var facility: Facility?
    var inputDir: String?
    var outputDir: String?
    var detectorString: String?
    var configuration: String?
    var parameters: [String: String]
    var resultDirectory: String?

    init(sharedBy specs: [JobSpec]) {
        count = specs.count
        parameters = [:]
        guard let first = specs.first else { return }
        (request, step, measurement, facility) = (first.request, first.step, first.measurement, first.facility)
        (inputDir, outputDir, detectorString, configuration) = (first.inputDir, first.outputDir, first.detectorString,
                                                                first.configuration)
        parameters = first.parameters
        // Specs of one array usually share one dictionary storage, which `==` recognises at once.
        // Indices rather than `for spec in`: copying each JobSpec out costs a dozen retains.
        var checked = first.parameters
        for i in specs.indices.dropFirst() where !parameters.isEmpty && specs[i].parameters != checked {
            checked = specs[i].parameters
            for (key, value) in parameters where checked[key] != value {
                parameters[key] = nil
            }
        }
        if let slash = first.resultPath.utf8.lastIndex(of: UInt8(ascii: "/")) {
            let directory = Array(first.resultPath.utf8[...slash])
            if specs.indices.allSatisfy({ Self.resultPath(of: specs[$0], startsWith: directory) }) {
                resultDirectory = String(first.resultPath[...slash])
            }
        }
    }

    /// A byte comparison (`hasPrefix` compares canonically equivalent characters, and
    /// `utf8.starts(with:)` goes byte by byte through the generic path).
    private static func resultPath(of spec: JobSpec, startsWith prefix: [UInt8]) -> Bool {
        let compared = spec.resultPath.utf8.withContiguousStorageIfAvailable { path in
            path.count >= prefix.count && prefix.withUnsafeBytes { memcmp(path.baseAddress!, $0.baseAddress!, prefix.count) == 0 }
        }
        return compared ?? spec.resultPath.utf8.starts(with: prefix)
    }
}

/// Lines 2… of a spec file: what one task does not share with the header.
private struct SpecFileTask: Decodable {
    var job: String
    var runs: [Int]
    var channels: [Int]
    var sequence: Int?
    var asics: [Int]?
    /// The result path, relative to the header's `resultDirectory` when it has one.
    var result: String
    /// Entries not shared by every spec of the array (they extend the header's parameters).
    var parameters: [String: String]?
    var request: String?
    var step: Step?
    var measurement: Measurement?
    var facility: Facility?
    var inputDir: String?
    var outputDir: String?
    var detectorString: String?
    var configuration: String?
}

/// Writes task lines as compact JSON into one growing byte buffer.
struct SpecLineWriter {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func appendTask(_ spec: JobSpec, header: SpecFileHeader) {
        raw("{\"job\":")
        string(spec.job)
        raw(",\"runs\":")
        ints(spec.runs)
        raw(",\"channels\":")
        ints(spec.channels)
        if let sequence = spec.sequence {
            raw(",\"sequence\":")
            int(sequence)
        }
        if !spec.asics.isEmpty {
            raw(",\"asics\":")
            ints(spec.asics)
        }
        raw(",\"result\":")
        let path = spec.resultPath.utf8
        if let directory = header.resultDirectory {
            string(path[path.index(path.startIndex, offsetBy: directory.utf8.count)...])
        } else {
            string(path[...])
        }
        appendParameters(spec.parameters, shared: header.parameters)
        override("request", spec.request, header.request)
        override("step", spec.step.rawValue, header.step?.rawValue)
        override("measurement", spec.measurement.rawValue, header.measurement?.rawValue)
        override("facility", spec.facility.rawValue, header.facility?.rawValue)
        override("inputDir", spec.inputDir, header.inputDir)
        override("outputDir", spec.outputDir, header.outputDir)
        override("detectorString", spec.detectorString, header.detectorString)
        override("configuration", spec.configuration, header.configuration)
        raw("}\n")
    }

    private mutating func appendParameters(_ parameters: [String: String], shared: [String: String]) {
        if parameters == shared { return }
        let own = parameters.filter { shared[$0.key] != $0.value }.sorted { $0.key < $1.key }
        if own.isEmpty { return }
        raw(",\"parameters\":{")
        for (i, entry) in own.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(entry.key)
            bytes.append(UInt8(ascii: ":"))
            string(entry.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func override(_ key: StaticString, _ value: String, _ shared: String?) {
        if value == shared { return }
        raw(",\"")
        raw(key)
        raw("\":")
        string(value)
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        string(text.utf8[...])
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else
    /// (including non-ASCII UTF-8) copied as is, in runs rather than byte by byte.
    mutating func string(_ text: Substring.UTF8View) {
        bytes.append(UInt8(ascii: "\""))
        let copied: Void? = text.withContiguousStorageIfAvailable { appendEscaped($0) }
        if copied == nil {
            Array(text).withUnsafeBufferPointer { appendEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var run = 0
        for i in 0..<text.count {
            let byte = text[i]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i]))
            run = i + 1
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...]))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func ints(_ values: [Int]) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            int(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Decimal digits, written backwards then reversed in place (no temporary string).
    mutating func int(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
