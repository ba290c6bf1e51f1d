import Foundation

/// Where `calfarm-worker` is: `general.worker`, else `CALFARM_WORKER`, else beside the running
/// `calfarm` itself. Always an absolute path, because scripts run on other nodes and in
/// other directories (a path derived from argv[0] against the current directory sent every
/// job of an installed `calfarm` to `<cwd>/calfarm-worker`).
public enum WorkerLocation {
    public static let executableName = "calfarm-worker"

    public static func path(configured: String?, environment: [String: String]) -> String {
        if let configured, !configured.isEmpty { return Farm.absolute(configured) }
        if let variable = environment["CALFARM_WORKER"], !variable.isEmpty { return Farm.absolute(variable) }
        let program = URL(fileURLWithPath: runningExecutable(environment: environment))
        return program.deletingLastPathComponent().appendingPathComponent(executableName).path
    }

    /// The running executable, symlinks resolved: `/proc/self/exe` where it exists (Linux),
    /// else argv[0] looked up as a shell would (a bare name through PATH).
    public static func runningExecutable(environment: [String: String],
                                         argument0: String = CommandLine.arguments.first ?? "calfarm") -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
           resolved.hasPrefix("/") {
            return resolved
        }
        var candidate = argument0
        if !argument0.contains("/") {
            let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
            candidate = directories.map { "\($0)/\(argument0)" }
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? argument0
        }
        return URL(fileURLWithPath: Farm.absolute(candidate)).resolvingSymlinksInPath().path
    }
}

/// Where `calfarm` itself is, for the supervisor job: `CALFARM_CONTROLLER`, else the running
/// program when it is `calfarm`, else `calfarm` beside the worker (a test runner or another
/// program embedding the controller must never be started as the supervisor).
public enum ControllerLocation {
    public static let executableName = "calfarm"

    public static func path(workerPath: String, environment: [String: String]) -> String {
        if let variable = environment["CALFARM_CONTROLLER"], !variable.isEmpty { return Farm.absolute(variable) }
        let running = WorkerLocation.runningExecutable(environment: environment)
        if (running as NSString).lastPathComponent == executableName { return running }
        return ((workerPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(executableName)
    }
}
