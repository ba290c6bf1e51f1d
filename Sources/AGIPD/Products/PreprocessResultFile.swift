import FarmContract

extension PreprocessResult {
    /// Reads a result written by `write(to:)`; errors (`ContractError`) name the file, and a
    /// file of another format version is refused before decoding.
    public static func read(from path: String) throws -> PreprocessResult {
        try ContractJSON.read(PreprocessResult.self, at: path, formatVersion: currentFormatVersion)
    }

    /// Writes the result atomically (temporary sibling, then rename), sorted keys, so a killed job
    /// never leaves a partial file under the final name. Creates the parent directory.
    public func write(to path: String) throws {
        try ContractJSON.write(self, to: path)
    }
}
