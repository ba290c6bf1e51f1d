import Foundation

/// A fresh directory under the system temporary directory, removed when the value is dropped
/// unless `CALFARM_KEEP_TEST_DIRS=1` (then its path is printed for inspection).
public final class TemporaryDirectory: @unchecked Sendable {  // immutable after init
    public let path: String

    public init(_ label: String = "calfarm-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let dir = "\(base)/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        if ProcessInfo.processInfo.environment["CALFARM_KEEP_TEST_DIRS"] == "1" {
            print("kept test directory \(path)")
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
