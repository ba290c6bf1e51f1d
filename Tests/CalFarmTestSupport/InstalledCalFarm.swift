import Foundation

/// `calfarm` and `calfarm-worker` installed with `deploy/install.sh` into a temporary prefix
/// (from the binaries this test run was built with), and run as a user runs them: found
/// through PATH, from a directory unrelated to the build tree, with no CALFARM_WORKER.
public struct InstalledCalFarm {
    public let dir: TemporaryDirectory
    public var prefix: String { dir.file("prefix") }
    /// The user's working directory: neither the build tree nor the prefix.
    public var workingDirectory: String { dir.file("elsewhere") }

    public init() throws {
        dir = try TemporaryDirectory("calfarm-installed")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let install = try ChildProcess.run("bash", ["\(repository)/deploy/install.sh", "--from", BuiltProducts.directory,
                                                    dir.file("prefix")],
                                           environment: ChildProcess.baseEnvironment())
        guard install.status == 0 else {
            throw ChildProcessFailure(description: "deploy/install.sh failed: \(install.stderr)\(install.stdout)")
        }
        try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
    }

    /// `calfarm arguments…` through PATH in the working directory.
    public func calfarm(_ arguments: [String]) throws -> ChildProcess {
        let path = "\(prefix)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var environment = ChildProcess.baseEnvironment(["PATH": path, "CALFARM_HOME": dir.file("home")])
        environment["CALFARM_WORKER"] = nil
        return try ChildProcess.run("calfarm", arguments, environment: environment, directory: workingDirectory)
    }
}

public struct ChildProcessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
