import ArgumentParser
import Foundation

/// Lists of small non-negative numbers as users type them on the command line: `0-15`, `0,8`,
/// `0-3,8-11`. Used by `--channels`, `--asics`, `--lose-trains` and friends.
enum IndexList {
    /// Parses `text`, keeping the user's order and expanding ranges.
    /// - Parameters:
    ///   - option: the option being parsed (`--channels`), named in every error.
    ///   - allowed: the valid values, or nil for any non-negative number.
    /// - Throws: ``IndexListError`` for an empty list or item, a non-number, a backwards range,
    ///   a value outside `allowed`, or a value listed twice.
    static func parse(_ text: String, option: String, allowed: ClosedRange<Int>? = nil) throws -> [Int] {
        func fail(_ reason: String) -> IndexListError { IndexListError(option: option, text: text, reason: reason) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw fail("the list is empty") }
        var values: [Int] = []
        var seen = Set<Int>()
        for rawItem in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw fail("empty item (two commas in a row, or a trailing comma)") }
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), low >= 0,
                  let high = bounds.count == 2 ? Int(bounds[1]) : low, high >= 0 else {
                throw fail("'\(item)' is neither a number nor a range like 0-15")
            }
            guard low <= high else { throw fail("range \(item) runs backwards") }
            if let allowed, let outside = [low, high].first(where: { !allowed.contains($0) }) {
                throw fail("\(outside) is outside \(allowed.lowerBound)-\(allowed.upperBound)")
            }
            for value in low...high {
                guard seen.insert(value).inserted else { throw fail("\(value) is listed twice") }
                values.append(value)
            }
        }
        return values
    }

    /// A transform for `@Option(transform:)`. ArgumentParser already names the option and the
    /// value in its message, so the thrown error carries only the reason.
    static func argument(_ option: String, allowed: ClosedRange<Int>? = nil) -> @Sendable (String) throws -> [Int] {
        { text in
            do { return try parse(text, option: option, allowed: allowed) } catch let error as IndexListError {
                throw ValidationError(error.reason)
            }
        }
    }

    /// The compact form of `values`, sorted: `[0, 1, 2, 3, 8]` → `0-3,8`.
    static func format(_ values: [Int]) -> String {
        var parts: [String] = []
        var sorted = Array(Set(values)).sorted()[...]
        while let first = sorted.popFirst() {
            var last = first
            while sorted.first == last + 1 { last = sorted.removeFirst() }
            parts.append(first == last ? "\(first)" : "\(first)-\(last)")
        }
        return parts.joined(separator: ",")
    }
}

/// A malformed index list; names the option and the text the user typed.
struct IndexListError: Error, CustomStringConvertible, Equatable {
    var option: String
    var text: String
    var reason: String

    var description: String { "invalid \(option) '\(text)': \(reason)" }
}
