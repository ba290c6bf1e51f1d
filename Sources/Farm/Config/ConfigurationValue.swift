import Foundation

/// One typed configuration value. The schema (``ConfigurationSchema``) fixes which case a key
/// holds; YAML never decides the type on its own (so `12:00:00` can never become 43200).
public enum ConfigurationValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case string(String)
    case int(Int)
    case number(Double)
    case bool(Bool)
    case strings([String])
    case ints([Int])

    /// The word of ``ConfigurationType/integerOrAuto(minimum:)`` keys that leaves the number to CalFarm.
    public static let auto = "auto"

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var numberValue: Double? {
        switch self {
        case .number(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Lists; `null` reads as the empty list.
    public var stringsValue: [String] {
        if case .strings(let s) = self { return s }
        return []
    }

    /// Lists; `null` reads as the empty list.
    public var intsValue: [Int] {
        if case .ints(let i) = self { return i }
        return []
    }

    /// The value written as YAML that any YAML 1.1 or 1.2 reader types the same way:
    /// strings are always double-quoted, lists use flow style.
    public var yaml: String {
        switch self {
        case .null: return "null"
        case .string(let s): return Self.quoted(s)
        case .int(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return "[" + list.map(Self.quoted).joined(separator: ", ") + "]"
        case .ints(let list): return "[" + list.map(String.init).joined(separator: ", ") + "]"
        }
    }

    /// The value as a job parameter string: lists joined by commas, null as the empty string.
    public var parameterString: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .int(let i): return String(i)
        case .number(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .strings(let list): return list.joined(separator: ",")
        case .ints(let list): return list.map(String.init).joined(separator: ",")
        }
    }

    public var description: String { yaml }

    /// A YAML double-quoted scalar; escapes backslash, quote and control characters.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
