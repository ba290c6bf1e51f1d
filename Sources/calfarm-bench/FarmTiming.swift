import Foundation

/// Wall-clock timing and the result table of the farm benchmarks. Every figure is a median over
/// repeats and is printed next to a reference measured in the same run, because the shared
/// machines vary by ±30 % from one minute to the next.
enum FarmTiming {
    /// Runs `body` once; returns its value and the elapsed wall-clock seconds.
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let clock = ContinuousClock()
        var value: T?
        let elapsed = try clock.measure { value = try body() }
        return (value!, seconds(elapsed))
    }

    /// Elapsed seconds of `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        try measure(body).1
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `1.234 s`, `12.3 ms`, `45.6 µs`.
    static func format(_ seconds: Double) -> String {
        if seconds.isNaN { return "-" }
        if seconds >= 1 { return String(format: "%.3f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.1f ms", seconds * 1e3) }
        return String(format: "%.1f µs", seconds * 1e6)
    }

    /// `12,345,678`.
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}

/// One row of a printed benchmark table.
struct FarmTableRow {
    var name: String
    var size: String
    var median: String
    var reference: String = ""
    var ratio: String = ""
    var verdict: String = ""
}

/// Prints rows as an aligned Markdown table (pasteable into docs/performance.md).
enum FarmTable {
    static let standardHeader = ["measurement", "size", "median", "reference (same run, median)", "ratio", "target"]

    static func print(title: String, _ rows: [FarmTableRow], header: [String] = standardHeader) {
        let cells = rows.map { [$0.name, $0.size, $0.median, $0.reference, $0.ratio, $0.verdict] }
        var widths = header.map(\.count)
        for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            "| " + row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + " |"
        }
        Swift.print("\n### \(title)\n")
        Swift.print(line(header))
        Swift.print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
        for row in cells { Swift.print(line(row)) }
        Swift.print("")
    }
}
