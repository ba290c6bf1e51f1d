import FarmContract
import Foundation

/// Runs `calfarm-worker inspect` for the planner: the request on its standard input, the
/// report from its standard output. Any way the worker can fail to answer (missing, not
/// executable, crashing, another CalFarm's contract) becomes one sentence naming the path.
public struct WorkerProbe: Sendable {
    public var path: String
    /// The worker's environment: the controller's own, as the local executor passes it.
    public var environment: [String: String]

    public init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public func inspect(_ request: InspectionRequest) throws(Failure) -> InspectionReport {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw Failure(description: "worker \(path) \(exists ? "is not executable" : "does not exist"); "
                + "install calfarm-worker beside calfarm, or name it with general.worker or CALFARM_WORKER")
        }
        let input: Data
        do { input = try ContractJSON.encode(request) } catch {
            throw Failure(description: "cannot encode the inspection request: \(error)")
        }
        let (status, output, errors) = run(input)
        guard let status else { throw Failure(description: "worker \(path) cannot start: \(errors)") }
        guard status == 0 else {
            let detail = errors.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw Failure(description: "worker \(path) failed to inspect the raw files (exit \(status)): "
                + (detail.isEmpty ? "no message" : detail) + "; is it the calfarm-worker of this calfarm?")
        }
        do {
            return try ContractJSON.decode(InspectionReport.self, from: output,
                                           formatVersion: InspectionReport.currentFormatVersion, path: "\(path) inspect")
        } catch {
            throw Failure(description: "worker \(path) answered something this calfarm cannot read (\(error)); "
                + "install the calfarm-worker of calfarm \(CalFarmVersion.current)")
        }
    }

    /// Exit status (nil: did not start), standard output, standard error.
    private func run(_ input: Data) -> (Int32?, Data, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["inspect"]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return (nil, Data(), error.localizedDescription) }
        // The worker reads all of its input before it writes; standard error is drained on
        // the side so a talkative worker cannot block on a full pipe.
        let errorData = DataBox()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.store(stderr.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        let message = String(decoding: errorData.load(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationReason == .uncaughtSignal {
            return (128 + process.terminationStatus, output, message.isEmpty ? "killed by signal \(process.terminationStatus)" : message)
        }
        return (process.terminationStatus, output, message)
    }
}
