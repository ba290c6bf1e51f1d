import FarmContract

/// Everything that can be wrong with a configuration or with the request values it validates.
/// Each case names the key and the file (or `--set` argument) it came from.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration file that must exist (site file, `--config`) does not.
    case missingFile(source: ConfigurationSource)
    /// A file exists but cannot be read or is not UTF-8.
    case unreadableFile(source: ConfigurationSource, reason: String)
    /// The YAML itself does not parse.
    case malformedYAML(source: ConfigurationSource, line: Int?, column: Int?, problem: String)
    /// The document, or a section, is not a mapping.
    case notAMapping(source: ConfigurationSource, section: String?, line: Int?)
    case unknownSection(section: String, source: ConfigurationSource, line: Int?, suggestion: String?)
    /// `key` is `section.key`.
    case unknownKey(key: String, source: ConfigurationSource, line: Int?, suggestion: String?)
    case wrongType(key: String, source: ConfigurationSource, line: Int?, expected: String, got: String)
    /// The type is right but the value is not allowed (out of range, bad time format, unknown word).
    case invalidValue(key: String, source: ConfigurationSource, line: Int?, value: String, reason: String)
    /// A `--set` argument that is not `section.key=value`.
    case malformedOverride(text: String)
    /// The number of runs does not fit the measurement. `key` names both spellings (`--runs/general.runs`).
    case wrongRunCount(key: String, measurement: FarmContract.Measurement, expected: Int, got: Int, rule: String)
    /// A channel or ASIC outside the detector. `what` is "channel" or "ASIC".
    case outOfRange(key: String, what: String, value: Int, allowed: ClosedRange<Int>)
    case duplicateValue(key: String, value: Int)
    case emptyList(key: String)
    /// A setting the request needs is not set (CFEL module, temperature).
    case missingSetting(key: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let source):
            return "configuration file not found: \(source)"
        case .unreadableFile(let source, let reason):
            return "cannot read configuration \(source): \(reason)"
        case .malformedYAML(let source, let line, let column, let problem):
            return "malformed YAML in \(Self.place(source, line, column)): \(problem)"
        case .notAMapping(let source, let section, let line):
            if let section {
                return "section '\(section)' in \(Self.place(source, line)) must be a mapping of key: value"
            }
            return "\(Self.place(source, line)) must be a mapping of sections (general:, process:, …)"
        case .unknownSection(let section, let source, let line, let suggestion):
            return "unknown section '\(section)' in \(Self.place(source, line))" + Self.hint(suggestion)
        case .unknownKey(let key, let source, let line, let suggestion):
            return "unknown key '\(key)' in \(Self.place(source, line))" + Self.hint(suggestion)
        case .wrongType(let key, let source, let line, let expected, let got):
            return "'\(key)' in \(Self.place(source, line)) must be \(Self.article(for: "\(expected)")) \(expected), got \(got)"
        case .invalidValue(let key, let source, let line, let value, let reason):
            return "invalid value \(value) for '\(key)' in \(Self.place(source, line)): \(reason)"
        case .malformedOverride(let text):
            return "--set \(text): expected section.key=value (e.g. --set process.n_jobs=4)"
        case .wrongRunCount(let key, let measurement, let expected, let got, let rule):
            let bound = MeasurementCatalog.description(of: measurement).acceptsMoreRuns ? "at least" : "exactly"
            return "\(key): \(measurement.rawValue) needs \(bound) \(expected) run\(expected == 1 ? "" : "s") (\(rule)), got \(got)"
        case .outOfRange(let key, let what, let value, let allowed):
            return "\(key): unknown \(what) \(value); valid \(what)s are \(allowed.lowerBound)–\(allowed.upperBound)"
        case .duplicateValue(let key, let value):
            return "\(key): \(value) is listed twice"
        case .emptyList(let key):
            return "\(key): the list is empty"
        case .missingSetting(let key, let reason):
            return "\(key) is not set: \(reason)"
        }
    }

    private static func place(_ source: ConfigurationSource, _ line: Int?, _ column: Int? = nil) -> String {
        guard let line else { return source.description }
        if let column { return "\(source) line \(line), column \(column)" }
        return "\(source) line \(line)"
    }

    private static func hint(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    /// "an" before "integer …", "a" before "string …" and "one of …".
    static func article(for phrase: String) -> String {
        guard let first = phrase.lowercased().first, "aeiou".contains(first), !phrase.hasPrefix("one ") else { return "a" }
        return "an"
    }
}
