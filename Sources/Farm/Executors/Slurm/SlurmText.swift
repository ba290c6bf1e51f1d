import Foundation

/// Small helpers shared by the SLURM output parsers.
enum SlurmText {
    /// nil for the placeholders SLURM prints for "nothing".
    static func nonEmpty(_ field: Substring) -> String? {
        let value = field.trimmingCharacters(in: .whitespaces)
        switch value {
        case "", "(null)", "None assigned", "N/A", "Unknown", "None": return nil
        default: return value
        }
    }

    /// `2026-11-24T22:03:05` in the cluster's local time; nil for `Unknown`/`None`.
    static func date(_ field: Substring, timeZone: TimeZone = .current) -> Date? {
        let parts = field.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6 else { return nil }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = timeZone
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        (components.hour, components.minute, components.second) = (parts[3], parts[4], parts[5])
        return components.date
    }

    /// Formats a date as SLURM's `-S`/`--starttime` expects it, in local time.
    static func timestamp(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// `[D-]HH:MM:SS`, `MM:SS` or `MM:SS.mmm` to whole seconds; nil if malformed.
    static func seconds(_ field: Substring) -> Int? {
        var days = 0
        var clock = field.trimmingCharacters(in: .whitespaces)[...]
        if let dash = clock.firstIndex(of: "-") {
            guard let d = Int(clock[..<dash]) else { return nil }
            days = d
            clock = clock[clock.index(after: dash)...]
        }
        if let dot = clock.firstIndex(of: ".") { clock = clock[..<dot] }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let total = parts.reduce(0) { $0 * 60 + $1! }
        return days * 86_400 + total
    }
}

/// Splits id lists so no command line grows too long ("argument list too long" with thousands
/// of ids on one sacct call has ended runs elsewhere).
enum SlurmIDList {
    static func chunks(_ ids: [String], maximumCount: Int = 500,
                       maximumCharacters: Int = 16_000) -> [[String]] {
        var result: [[String]] = []
        var current: [String] = []
        var length = 0
        for id in ids {
            if !current.isEmpty, current.count >= maximumCount || length + id.count + 1 > maximumCharacters {
                result.append(current)
                current = []
                length = 0
            }
            current.append(id)
            length += id.count + 1
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
