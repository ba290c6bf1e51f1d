import Foundation
import Testing

/// Whether a SLURM cluster answers on this machine, for tests that need the real thing.
///
/// Available means `sinfo -h` exits 0. On a bare machine such tests are skipped (start a
/// cluster with `deploy/slurm/start.sh`); with `CALFARM_REQUIRE_SLURM=1` (CI) they run anyway
/// and ``require()`` fails them loudly, so a broken cluster can never pass as "skipped".
public enum SlurmAvailability {
    /// True when the environment demands a cluster (`CALFARM_REQUIRE_SLURM=1`).
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["CALFARM_REQUIRE_SLURM"] == "1"
    }

    /// nil when `sinfo -h` succeeded, otherwise why it did not. Probed once per test process.
    public static let problem: String? = probe()

    public static var isReachable: Bool { problem == nil }

    /// Call at the top of every test that needs SLURM.
    /// - Throws: ``SlurmUnavailable`` when `sinfo -h` failed.
    public static func require() throws {
        if let problem {
            throw SlurmUnavailable(message: isRequired
                ? "SLURM required (CALFARM_REQUIRE_SLURM=1) but sinfo failed: \(problem)"
                : "SLURM not reachable (\(problem)); start it with deploy/slurm/start.sh")
        }
    }

    private static func probe() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let sinfo = path.split(separator: ":").map({ "\($0)/sinfo" })
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return "sinfo not found on PATH"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sinfo)
        process.arguments = ["-h"]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "could not run \(sinfo): \(error)"
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 0 { return nil }
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return "exit \(process.terminationStatus)" + (text.isEmpty ? "" : ": \(text)")
    }
}

/// The error ``SlurmAvailability/require()`` throws.
public struct SlurmUnavailable: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where a SLURM cluster answers, or where `CALFARM_REQUIRE_SLURM=1`
    /// demands one (then the test's `SlurmAvailability.require()` fails it if none answers).
    public static var requiresSlurm: Self {
        .enabled("needs a running SLURM cluster: start one with deploy/slurm/start.sh") {
            SlurmAvailability.isRequired || SlurmAvailability.isReachable
        }
    }
}

extension Tag {
    /// Tests that talk to a real SLURM cluster.
    @Tag public static var slurm: Self
}
