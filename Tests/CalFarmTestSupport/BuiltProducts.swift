import Foundation

/// The package's executables, built next to the test bundle (`swift build` before `swift test`;
/// `deploy/run-tests.sh` does both).
public enum BuiltProducts {
    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) does not exist: run `swift build` before `swift test`" }
    }

    public static var directory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The path of an executable product, e.g. `calfarm-worker`.
    public static func executable(_ name: String) throws -> String {
        let path = "\(directory)/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
