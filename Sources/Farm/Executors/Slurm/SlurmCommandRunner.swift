import Foundation

/// The SLURM command-line clients CalFarm calls.
public enum SlurmTool: String, Sendable, CaseIterable {
    case sbatch, squeue, sacct, scancel, scontrol, sinfo
}

/// What one client call printed and how it exited.
public struct SlurmCommandOutput: Hashable, Sendable {
    /// The tool followed by its arguments.
    public var command: [String]
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32

    public init(command: [String], stdout: String, stderr: String, exitCode: Int32) {
        self.command = command
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }

    /// The command as one shell-like line, for messages.
    public var commandLine: String { SlurmCommandRunner.displayLine(command) }
}

/// Runs SLURM's clients (`sbatch`, `squeue`, `sacct`, `scancel`, `scontrol`, `sinfo`) as child
/// processes and captures their output; repeats calls that fail transiently, with exponential
/// backoff (see ``SlurmRetryPolicy``). Only this type starts processes: the parsers are pure
/// functions on text so they can be tested on captured output.
public struct SlurmCommandRunner: Sendable {
    public var retryPolicy: SlurmRetryPolicy
    /// Variables added to the inherited environment (for example `SLURM_CONF`).
    public var environment: [String: String]
    /// Seconds one call may take before it is terminated.
    public var timeout: Double
    /// Directories searched for the clients; nil means the `PATH` of the environment.
    public var searchPath: String?

    public init(retryPolicy: SlurmRetryPolicy = SlurmRetryPolicy(),
                environment: [String: String] = [:], timeout: Double = 120,
                searchPath: String? = nil) {
        self.retryPolicy = retryPolicy
        self.environment = environment
        self.timeout = timeout
        self.searchPath = searchPath
    }

    /// Runs the tool, repeating it after transient errors, and returns its output.
    ///
    /// - Parameter acceptedExitCodes: non-zero exit codes that count as an answer (for example
    ///   `squeue`'s 1 for an unknown job id) unless the error output is a transient one.
    /// - Throws: ``SlurmError/commandFailed(command:exitCode:stderr:)`` for a permanent error,
    ///   ``SlurmError/transientFailurePersisted(command:attempts:stderr:)`` or
    ///   ``SlurmError/timedOut(command:seconds:)`` when the retries are used up,
    ///   ``SlurmError/launchFailed(command:reason:)`` when the client cannot be started.
    public func run(_ tool: SlurmTool, _ arguments: [String],
                    acceptedExitCodes: Set<Int32> = [0]) throws -> SlurmCommandOutput {
        var attempt = 1
        while true {
            do {
                let output = try runOnce(tool, arguments)
                if output.exitCode == 0 { return output }
                // Transient errors are retried even when the caller accepts their exit code.
                let kind = SlurmFailureKind(stderr: output.stderr)
                if !kind.isTransient, acceptedExitCodes.contains(output.exitCode) { return output }
                guard kind.isTransient else {
                    throw SlurmError.commandFailed(command: output.commandLine,
                                                   exitCode: output.exitCode, stderr: output.stderr)
                }
                guard attempt < retryPolicy.maximumAttempts else {
                    throw SlurmError.transientFailurePersisted(
                        command: output.commandLine, attempts: attempt, stderr: output.stderr)
                }
            } catch SlurmError.timedOut(let command, let seconds) {
                guard attempt < retryPolicy.maximumAttempts else {
                    throw SlurmError.timedOut(command: command, seconds: seconds)
                }
            }
            Thread.sleep(forTimeInterval: retryPolicy.delay(afterAttempt: attempt))
            attempt += 1
        }
    }

    /// Runs the tool once and returns its output whatever the exit code.
    ///
    /// - Throws: ``SlurmError/launchFailed(command:reason:)`` or ``SlurmError/timedOut(command:seconds:)``.
    public func runOnce(_ tool: SlurmTool, _ arguments: [String]) throws -> SlurmCommandOutput {
        let command = [tool.rawValue] + arguments
        let line = Self.displayLine(command)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        guard let executable = Self.locate(tool.rawValue, in: searchPath ?? env["PATH"]) else {
            throw SlurmError.launchFailed(
                command: line, reason: "\(tool.rawValue) not found on PATH; is SLURM installed?")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = env
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SlurmError.launchFailed(command: line, reason: "\(error)")
        }
        let child = ChildProcess(process)
        // stderr is drained on another thread: a client filling one pipe while we block on
        // the other would deadlock.
        let stderrData = DataBox()
        let drained = DispatchGroup()
        drained.enter()
        DispatchQueue.global().async {
            stderrData.store(stderrPipe.fileHandleForReading.readDataToEndOfFile())
            drained.leave()
        }
        let watchdog = DispatchWorkItem { child.terminateIfRunning() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let stdoutData = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        watchdog.cancel()
        if child.wasTerminated {
            throw SlurmError.timedOut(command: line, seconds: timeout)
        }
        return SlurmCommandOutput(
            command: command,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData.load(), as: UTF8.self),
            exitCode: process.terminationStatus)
    }

    static func locate(_ name: String, in path: String?) -> String? {
        let directories = (path ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func displayLine(_ command: [String]) -> String {
        command.map { word in
            let plain = !word.isEmpty && word.allSatisfy {
                $0.isLetter || $0.isNumber || "-_=./,:%@+".contains($0)
            }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// A running child shared with the watchdog; Process itself is not Sendable.
private final class ChildProcess: @unchecked Sendable {  // guarded by `lock`
    private let process: Process
    private let lock = NSLock()
    private var terminated = false

    init(_ process: Process) { self.process = process }

    func terminateIfRunning() {
        lock.lock(); defer { lock.unlock() }
        if process.isRunning {
            terminated = true
            process.terminate()
        }
    }

    var wasTerminated: Bool {
        lock.lock(); defer { lock.unlock() }
        return terminated
    }
}

/// Bytes handed from a stderr reader thread to the caller (also `WorkerProbe`).
final class DataBox: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var data = Data()

    func store(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func load() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
