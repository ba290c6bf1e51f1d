import Foundation

/// A program run to its end, as a user's shell would run it: output captured, exit status kept.
public struct ChildProcess: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs `executable arguments…` (a bare name is looked up on the environment's PATH) in
    /// `directory`, with exactly `environment`.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           directory: String? = nil) throws -> ChildProcess {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errors.data = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        done.wait()
        return ChildProcess(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                            stderr: String(decoding: errors.data, as: UTF8.self))
    }

    /// The variables every child needs (PATH, HOME) from this process, plus `extra`.
    public static func baseEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        let mine = ProcessInfo.processInfo.environment
        var environment = ["PATH": mine["PATH"] ?? "/usr/bin:/bin", "HOME": mine["HOME"] ?? "/root"]
        for key in ["SLURM_CONF", "LANG"] { if let value = mine[key] { environment[key] = value } }
        environment.merge(extra) { $1 }
        return environment
    }

    private final class Box: @unchecked Sendable {  // written once before `done` is signalled
        var data = Data()
    }
}

/// The built `calfarm`, run as a process.
public enum CalfarmProcess {
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           directory: String? = nil) throws -> ChildProcess {
        try ChildProcess.run(try BuiltProducts.executable("calfarm"), arguments,
                             environment: ChildProcess.baseEnvironment(environment), directory: directory)
    }
}

/// `python3 -c CODE arguments…`; a failure throws with python's message.
public enum PythonScript {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    @discardableResult
    public static func run(_ code: String, _ arguments: [String] = []) throws -> String {
        let result = try ChildProcess.run("python3", ["-c", code] + arguments, environment: ChildProcess.baseEnvironment())
        guard result.status == 0 else {
            throw Failure(description: "python3 failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }
}
