import FarmContract
import Foundation

/// Reads a worker's result file and decides whether the job is done: the result says succeeded
/// AND every output exists with the recorded size (and checksum, when verifying). The
/// controller never opens HDF5 to decide this.
public enum ResultIngest {
    public enum Verdict: Sendable, Equatable {
        /// No result file: the worker never finished (or never ran).
        case absent
        case succeeded(JobResult)
        /// The worker reported failure; the result carries the error.
        case failed(JobResult)
        /// The result says succeeded but outputs do not match; `reason` names the file.
        case invalid(reason: String)

        /// The worker's warnings (lost trains, a channel left out, …), kept in the database.
        public var warnings: [String] {
            switch self {
            case .succeeded(let result), .failed(let result): result.warnings
            case .absent, .invalid: []
            }
        }
    }

    public static func verdict(resultPath: String, verifyChecksums: Bool = false) -> Verdict {
        guard FileManager.default.fileExists(atPath: resultPath) else { return .absent }
        let result: JobResult
        do {
            result = try ContractJSON.read(JobResult.self, at: resultPath)
        } catch {
            return .invalid(reason: String(describing: error))
        }
        guard result.status == .succeeded else { return .failed(result) }
        for output in result.outputs {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: output.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value else {
                return .invalid(reason: "output \(output.path) recorded in \(resultPath) is missing")
            }
            guard size == output.bytes else {
                return .invalid(reason: "output \(output.path) has \(size) bytes, result file recorded \(output.bytes)")
            }
            if verifyChecksums {
                guard let actual = try? FileChecksum.output(for: output.path), actual.checksum == output.checksum else {
                    return .invalid(reason: "output \(output.path) does not match its recorded checksum \(output.checksum)")
                }
            }
        }
        return .succeeded(result)
    }
}
