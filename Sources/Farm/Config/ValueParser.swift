/// Turns raw text (a YAML scalar's characters, or a `--set` value) into a typed value. YAML's
/// implicit typing is never used: the declared type alone decides, so `12:00:00` is the text
/// "12:00:00" and `on` is not a boolean.
enum ValueParser {
    /// Why a raw value does not fit its declared type; the caller adds key, source and line.
    enum Problem: Error, Equatable {
        case wrongType(got: String)
        case invalid(value: String, reason: String)
    }

    /// A plain (unquoted) YAML scalar spelling null.
    static func isNullSpelling(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// Parses one scalar. `isNull` is true for an unquoted null spelling.
    static func parseScalar(_ text: String, isNull: Bool, as type: ConfigurationType) throws(Problem) -> ConfigurationValue {
        if isNull {
            if type.allowsNull { return type.isList ? emptyList(type) : .null }
            throw .wrongType(got: "null")
        }
        switch type {
        case .string, .optionalString:
            return .string(text)
        case .integer(let minimum):
            guard let value = parseInt(text) else { throw .wrongType(got: shown(text)) }
            guard value >= minimum else { throw .invalid(value: text, reason: "must be at least \(minimum)") }
            return .int(value)
        case .integerOrAuto(let minimum):
            if text.trimmingSpaces == ConfigurationValue.auto { return .string(ConfigurationValue.auto) }
            return try parseScalar(text, isNull: false, as: .integer(minimum: minimum))
        case .arrayThrottle:
            let digits = text.trimmingSpaces.hasPrefix("%") ? String(text.trimmingSpaces.dropFirst()) : text
            return try parseScalar(digits, isNull: false, as: .integer(minimum: 0))
        case .number(let minimum):
            guard let value = Double(text.trimmingSpaces), value.isFinite else { throw .wrongType(got: shown(text)) }
            guard value >= minimum else { throw .invalid(value: text, reason: "must be at least \(minimum)") }
            return .number(value)
        case .boolean:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw .wrongType(got: shown(text))
            }
        case .slurmTime:
            guard isSlurmTime(text) else {
                throw .invalid(value: shown(text), reason: "not a SLURM time (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or UNLIMITED)")
            }
            return .string(text)
        case .optionalMemory:
            guard isMemory(text) else {
                throw .invalid(value: shown(text), reason: "not a SLURM memory size (an integer with an optional K, M, G or T)")
            }
            return .string(text)
        case .integers(let range):
            return .ints(try parseIntList(text, range: range))
        case .strings:
            return .strings([text])
        case .choice(let words):
            guard words.contains(text) else {
                throw .invalid(value: shown(text), reason: "expected one of " + words.joined(separator: ", "))
            }
            return .string(text)
        case .mailTypes:
            let parts = text.split(separator: ",").map { $0.trimmingSpaces.uppercased() }
            guard !parts.isEmpty, parts.allSatisfy(ConfigurationType.slurmMailTypes.contains) else {
                throw .invalid(value: shown(text), reason: "expected SLURM mail types such as END,FAIL")
            }
            return .string(parts.joined(separator: ","))
        }
    }

    /// Parses the elements of a YAML sequence for a list type. Integer elements may themselves be ranges.
    static func parseList(_ elements: [String], as type: ConfigurationType) throws(Problem) -> ConfigurationValue {
        switch type {
        case .integers(let range):
            var out: [Int] = []
            for element in elements { out += try parseIntList(element, range: range) }
            return .ints(out)
        case .strings:
            return .strings(elements)
        default:
            throw .wrongType(got: "a list")
        }
    }

    private static func emptyList(_ type: ConfigurationType) -> ConfigurationValue {
        if case .integers = type { return .ints([]) }
        return .strings([])
    }

    /// Strict decimal integer (optional sign); no hex, octal, sexagesimal or underscores.
    static func parseInt(_ text: String) -> Int? {
        let t = text.trimmingSpaces
        let digits = t.first == "-" || t.first == "+" ? t.dropFirst() : Substring(t)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(t)
    }

    /// `0-15`, `0-3,8`, `819 820 821`, `5`, `[0, 8]` (brackets accepted for `--set`). Order is kept;
    /// ranges expand.
    static func parseIntList(_ text: String, range: ClosedRange<Int>?) throws(Problem) -> [Int] {
        var t = text.trimmingSpaces
        if t.hasPrefix("["), t.hasSuffix("]") { t = String(t.dropFirst().dropLast()) }
        var out: [Int] = []
        for item in t.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            // A range "a-b"; a leading minus is a negative number, not a range.
            if let dash = item.dropFirst().firstIndex(of: "-") {
                guard let lo = parseInt(String(item[..<dash])), let hi = parseInt(String(item[item.index(after: dash)...]))
                else { throw .wrongType(got: shown(text)) }
                guard lo <= hi else { throw .invalid(value: shown(item), reason: "range runs backwards") }
                try check(lo, range); try check(hi, range)
                out.append(contentsOf: lo...hi)
            } else {
                guard let value = parseInt(String(item)) else { throw .wrongType(got: shown(text)) }
                try check(value, range)
                out.append(value)
            }
        }
        return out
    }

    private static func check(_ value: Int, _ range: ClosedRange<Int>?) throws(Problem) {
        if let range, !range.contains(value) {
            throw .invalid(value: String(value), reason: "outside \(range.lowerBound)–\(range.upperBound)")
        }
    }

    /// SLURM's accepted `--time` spellings.
    static func isSlurmTime(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        func numbers(_ s: Substring, max: Int) -> Bool {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            return (1...max).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
        }
        if let dash = text.firstIndex(of: "-") {
            let days = text[..<dash]
            guard !days.isEmpty, days.allSatisfy(\.isASCIIDigit) else { return false }
            return numbers(text[text.index(after: dash)...], max: 3)
        }
        return numbers(Substring(text), max: 3)
    }

    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    static func shown(_ text: some StringProtocol) -> String { ConfigurationValue.quoted(String(text)) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
