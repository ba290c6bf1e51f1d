import Foundation

/// The JSON form of every `--json` answer: sorted keys, ISO-8601 dates, unescaped slashes, so
/// output is stable for scripts and diffs.
enum JSONOutput {
    /// Encodes `value` as one document; `pretty` false gives one line (for `--watch` streams).
    static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints `value` on stdout.
    static func print<T: Encodable>(_ value: T, pretty: Bool = true) throws {
        Swift.print(try encode(value, pretty: pretty))
    }
}
