// Runs python3 snippets for the h5py interop tests. A missing python3 or h5py is a test
// failure with the install command, never a silent skip: the project's test command installs it.
import Foundation

enum Python {
    static let installHint = "the h5py interop tests need python3 with h5py and numpy: run `python3 -m pip install h5py`"

    /// A python3 run that failed, or a missing python3/h5py; the message says what to do.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `python3 -c script arguments…` and returns its combined stdout and stderr.
    /// - Throws: `Failure` if python3 cannot start or the script exits non-zero.
    @discardableResult
    static func run(_ script: String, _ arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start python3 (\(error)); \(installHint)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with status \(process.terminationStatus):\n\(output)")
        }
        return output
    }

    /// Throws `Failure` with the install command unless python3 can import h5py and numpy.
    static func requireH5py() throws {
        do {
            try run("import h5py, numpy")
        } catch let failure as Failure {
            throw Failure(description: "\(installHint)\n\(failure.description)")
        }
    }
}
