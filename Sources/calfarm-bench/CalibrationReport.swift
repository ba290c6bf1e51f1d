import Foundation

/// Formats the calibration benchmark's figures: samples, ratios with their targets, the
/// peak-memory table.
struct CalibrationReport {
    struct Target {
        var name: String
        var ratioText: String
        var target: String
        var pass: Bool
    }

    var samples: [CalibrationSample] = []
    var targets: [Target] = []
    var notes: [String] = []

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
    static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
    static func rate(_ bytesPerSecond: Double) -> String { String(format: "%.2f GB/s", bytesPerSecond / 1e9) }

    static func line(_ columns: [String], widths: [Int]) -> String {
        zip(columns, widths).map { text, width in
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }.joined(separator: "  ")
    }

    /// The samples table: bytes per repeat, median, throughput and every repeat.
    func samplesTable() -> String {
        let widths = [34, 10, 9, 10, 40]
        var lines = [Self.line(["measurement", "bytes", "median", "rate", "repeats (s)"], widths: widths)]
        for sample in samples {
            lines.append(Self.line([
                sample.name, Self.megabytes(sample.bytes), String(format: "%.3f s", sample.median), Self.rate(sample.rate),
                sample.seconds.map { String(format: "%.3f", $0) }.joined(separator: " "),
            ], widths: widths))
        }
        return lines.joined(separator: "\n")
    }

    func targetsTable() -> String {
        let widths = [44, 14, 10, 7]
        var lines = [Self.line(["target", "measured", "wanted", "verdict"], widths: widths)]
        for target in targets {
            lines.append(Self.line([target.name, target.ratioText, target.target, target.pass ? "PASS" : "MISS"],
                                   widths: widths))
        }
        return lines.joined(separator: "\n")
    }

    static func memoryTable(cells: Int, baseline: Int, rows: [CalibrationMemoryProbe.Row]) -> String {
        let widths = [8, 12, 14, 14, 12, 9]
        var lines = [
            "peak memory of one process job (1 ASIC, 3 runs, \(cells) cells), each in a fresh process:",
            line(["trains", "input", "ru_maxrss", "VmHWM", "vs previous", "seconds"], widths: widths),
            line(["-", "-", mebibytes(baseline), "", "(no job)", "-"], widths: widths),
        ]
        var previous: Int?
        for row in rows {
            let growth = previous.map { String(format: "%+.1f %%", (Double(row.peakBytes) / Double($0) - 1) * 100) } ?? ""
            lines.append(line([String(row.trains), megabytes(row.inputBytes), mebibytes(row.peakBytes), mebibytes(row.highWaterBytes), growth,
                               String(format: "%.2f", row.seconds)], widths: widths))
            previous = row.peakBytes
        }
        return lines.joined(separator: "\n")
    }

    /// A short description of this machine for the header.
    static func machine() -> String {
        let info = ProcessInfo.processInfo
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" } ?? "?"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return String(format: "%d cores (%@), %.1f GiB memory, Linux %@", info.activeProcessorCount, model,
                      Double(info.physicalMemory) / 1_073_741_824, kernel)
    }
}
