import Foundation
import Yams

/// Reads one YAML layer into typed `section.key` values, checked against the schema. Uses Yams'
/// `basic` resolver so every scalar arrives as its raw text; ``ValueParser`` types it.
enum ConfigurationParser {
    typealias Entry = (key: String, value: ConfigurationValue)

    /// Parses `text` from `source`; values come back in document order.
    static func parse(_ text: String, source: ConfigurationSource) throws -> [Entry] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw malformed(error, source: source, text: text)
        } catch {
            throw ConfigurationError.malformedYAML(source: source, line: nil, column: nil, problem: "\(error)")
        }
        guard let root else { return [] }  // an empty file is an empty layer
        if case .scalar(let s) = root, s.style == .plain, ValueParser.isNullSpelling(s.string) { return [] }
        guard case .mapping(let sections) = root else {
            throw ConfigurationError.notAMapping(source: source, section: nil, line: root.mark?.line)
        }
        var entries: [Entry] = []
        for (sectionNode, body) in sections {
            let sectionName = sectionNode.scalar?.string ?? "\(sectionNode)"
            guard let section = ConfigurationSchema.section(sectionName) else {
                throw ConfigurationError.unknownSection(
                    section: sectionName, source: source, line: sectionNode.mark?.line,
                    suggestion: KeySuggestion.nearest(to: sectionName, among: ConfigurationSchema.sections.map(\.name)))
            }
            if case .scalar(let s) = body, s.style == .plain, ValueParser.isNullSpelling(s.string) { continue }
            guard case .mapping(let pairs) = body else {
                throw ConfigurationError.notAMapping(source: source, section: sectionName, line: body.mark?.line)
            }
            for (keyNode, valueNode) in pairs {
                let keyName = keyNode.scalar?.string ?? "\(keyNode)"
                let path = "\(sectionName).\(keyName)"
                guard let key = section.key(keyName) else {
                    throw ConfigurationError.unknownKey(key: path, source: source, line: keyNode.mark?.line,
                                                        suggestion: KeySuggestion.forKey(section: sectionName, key: keyName))
                }
                let line = valueNode.mark?.line ?? keyNode.mark?.line
                entries.append((path, try value(of: valueNode, key: key, path: path, source: source, line: line)))
            }
        }
        return entries
    }

    /// Parses one `--set section.key=value`. List keys accept YAML flow lists (`[a, b]`) and, for
    /// integers, ranges (`0-3,8`); scalar keys take the text after `=` verbatim.
    static func parseOverride(_ text: String) throws -> Entry {
        guard let eq = text.firstIndex(of: "=") else { throw ConfigurationError.malformedOverride(text: text) }
        let path = text[..<eq].trimmingSpaces
        let raw = String(text[text.index(after: eq)...])
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ConfigurationError.malformedOverride(text: text)
        }
        let source = ConfigurationSource.override(text)
        guard ConfigurationSchema.section(parts[0]) != nil else {
            throw ConfigurationError.unknownSection(
                section: parts[0], source: source, line: nil,
                suggestion: KeySuggestion.nearest(to: parts[0], among: ConfigurationSchema.sections.map(\.name)))
        }
        guard let key = ConfigurationSchema.key(section: parts[0], name: parts[1]) else {
            throw ConfigurationError.unknownKey(key: path, source: source, line: nil,
                                                suggestion: KeySuggestion.forKey(section: parts[0], key: parts[1]))
        }
        if case .strings = key.type, raw.trimmingSpaces.hasPrefix("[") {
            let node: Node?
            do { node = try Yams.compose(yaml: raw, .basic) } catch let error as YamlError {
                throw malformed(error, source: source, text: raw)
            }
            guard let node else { return (path, .strings([])) }
            return (path, try value(of: node, key: key, path: path, source: source, line: nil))
        }
        do {
            return (path, try ValueParser.parseScalar(raw, isNull: ValueParser.isNullSpelling(raw.trimmingSpaces),
                                                      as: key.type))
        } catch {
            throw wrap(error, key: key, path: path, source: source, line: nil)
        }
    }

    private static func value(of node: Node, key: ConfigurationSchema.Key, path: String,
                              source: ConfigurationSource, line: Int?) throws -> ConfigurationValue {
        do {
            switch node {
            case .scalar(let s):
                let isNull = s.style == .plain && ValueParser.isNullSpelling(s.string)
                return try ValueParser.parseScalar(s.string, isNull: isNull, as: key.type)
            case .sequence(let seq):
                var elements: [String] = []
                elements.reserveCapacity(seq.count)
                for element in seq {
                    guard case .scalar(let s) = element, !(s.style == .plain && ValueParser.isNullSpelling(s.string)) else {
                        throw ValueParser.Problem.wrongType(got: "a list containing \(describe(element))")
                    }
                    elements.append(s.string)
                }
                return try ValueParser.parseList(elements, as: key.type)
            case .mapping:
                throw ValueParser.Problem.wrongType(got: "a mapping")
            case .alias:
                throw ValueParser.Problem.wrongType(got: "an alias")
            }
        } catch let problem as ValueParser.Problem {
            throw wrap(problem, key: key, path: path, source: source, line: line)
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar: return "null"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    private static func wrap(_ problem: ValueParser.Problem, key: ConfigurationSchema.Key, path: String,
                             source: ConfigurationSource, line: Int?) -> ConfigurationError {
        switch problem {
        case .wrongType(let got):
            return .wrongType(key: path, source: source, line: line, expected: key.type.description, got: got)
        case .invalid(let value, let reason):
            return .invalidValue(key: path, source: source, line: line, value: value, reason: reason)
        }
    }

    /// libyaml reports where it noticed a problem, which can be lines after the mistake: an
    /// unclosed list or quote is noticed at the next key or the end of the file, and a key
    /// without its ':' at the next line's ':'. The line reported is where the mistake is.
    private static func malformed(_ error: YamlError, source: ConfigurationSource, text: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if let context, context.mark.line < mark.line {
                return .malformedYAML(source: source, line: context.mark.line, column: context.mark.column,
                                      problem: "\(problem) at line \(mark.line), column \(mark.column) "
                                          + "(\(context.text), which starts here)")
            }
            if problem.hasPrefix("mapping values are not allowed"), let key = keyWithoutColon(before: mark.line, in: text) {
                return .malformedYAML(source: source, line: key.line, column: key.column,
                                      problem: "'\(key.text)' has no ':' after its key (YAML noticed at line "
                                          + "\(mark.line), column \(mark.column): \(problem))")
            }
            return .malformedYAML(source: source, line: mark.line, column: mark.column, problem: problem)
        case .reader(let problem, _, _, _):
            return .malformedYAML(source: source, line: nil, column: nil, problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .malformedYAML(source: source, line: context.mark.line, column: context.mark.column,
                                  problem: "duplicate keys " + duplicates.joined(separator: ", "))
        default:
            return .malformedYAML(source: source, line: nil, column: nil, problem: "\(error)")
        }
    }

    /// The nearest non-blank, non-comment line above `line` (1-based) when it holds no key ':':
    /// a key whose colon is missing, read by YAML as the start of a multi-line text.
    private static func keyWithoutColon(before line: Int, in text: String) -> (line: Int, column: Int, text: String)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var index = line - 2
        while index >= 0 {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !trimmed.hasPrefix("#") {
                // A key's ':' is followed by a space or the line's end ("00:10:00" holds none).
                guard trimmed.range(of: #":(\s|$)"#, options: .regularExpression) == nil else { return nil }
                let indent = lines[index].prefix { $0 == " " }.count
                return (index + 1, indent + 1, trimmed)
            }
            index -= 1
        }
        return nil
    }
}
