import Foundation

/// The limits CalFarm plans around, read from `scontrol show config`.
public struct SlurmConfiguration: Hashable, Sendable {
    /// Every `Key = Value` line, verbatim.
    public var values: [String: String]

    public init(values: [String: String]) { self.values = values }

    /// Array indices must be below this (default 1001, so 0…1000).
    public var maxArraySize: Int? { number("MaxArraySize") }
    /// Seconds a finished job stays visible in `squeue` (`300 sec`).
    public var minJobAgeSeconds: Int? { number("MinJobAge") }
    /// Jobs the controller holds at once; every array task counts.
    public var maxJobCount: Int? { number("MaxJobCount") }
    public var version: String? { values["SLURM_VERSION"] }
    /// True unless `AccountingStorageType` is `accounting_storage/none`.
    public var hasAccounting: Bool {
        guard let type = values["AccountingStorageType"] else { return false }
        return type != "accounting_storage/none"
    }

    /// The leading integer of a value such as `300 sec`.
    public func number(_ key: String) -> Int? {
        guard let value = values[key] else { return nil }
        return Int(value.prefix(while: \.isNumber))
    }

    /// Reads the cluster's configuration (`scontrol show config`).
    public static func load(runner: SlurmCommandRunner = SlurmCommandRunner()) throws -> SlurmConfiguration {
        let output = try runner.run(.scontrol, ["show", "config"])
        return parse(output.stdout)
    }

    /// Parses `scontrol show config`; lines without ` = ` (headers, the ping summary) are skipped.
    public static func parse(_ text: String) -> SlurmConfiguration {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let range = line.range(of: " = ") else { continue }
            let key = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if !key.isEmpty { values[key] = value }
        }
        return SlurmConfiguration(values: values)
    }
}
