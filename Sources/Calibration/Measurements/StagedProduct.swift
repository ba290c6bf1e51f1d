import FarmContract
import Foundation
import HDF5

/// Writes a product under a temporary name in its final directory and renames it into place
/// only when the writer returned, so a killed or failed job never leaves a file that looks done.
enum StagedProduct {
    /// Calls `write` with the temporary path, then renames it to `path`. On any error the
    /// temporary file is removed and the error rethrown as a `CalibrationError`.
    static func write(to path: String, _ write: (String) throws -> Void) throws {
        let temporary = AtomicFile.temporaryPath(for: path)
        do {
            try AtomicFile.createParent(of: path)
            try write(temporary)
            try AtomicFile.commit(temporary: temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CalibrationError.wrapping(error, output: path)
        }
    }
}

extension CalibrationError {
    /// Maps lower-layer errors into this layer's enum, keeping their file and object names.
    static func wrapping(_ error: any Error, output: String? = nil) -> CalibrationError {
        switch error {
        case let error as CalibrationError: error
        case let error as HDF5Error: .hdf5(error)
        default: .outputFailed(path: output ?? "?", reason: String(describing: error))
        }
    }
}
