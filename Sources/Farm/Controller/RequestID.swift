import FarmContract
import Foundation

/// Request ids read as what and when: `dark-20261124-221503-3fa2`. The random suffix keeps two
/// submissions in one second apart; ids contain only `[a-z0-9-]`, so they are safe in job names.
enum RequestID {
    static func make(measurement: FarmContract.Measurement, at date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(measurement.rawValue)-\(formatter.string(from: date))-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
    }
}
