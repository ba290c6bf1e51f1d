import FarmContract

extension CFELRawLayout {
    /// The part files of each of `runs`, listed once, with a layout problem as the step's error
    /// (naming the directory or files), for gather and for process units that list the parts.
    public func partFiles(of runs: [Int]) throws -> [[CFELRawFile]] {
        do throws(CFELLayoutProblem) {
            let files = try scan()
            var parts: [[CFELRawFile]] = []
            for run in runs { parts.append(try self.parts(of: run, in: files)) }
            return parts
        } catch {
            throw CalibrationError.badInput(path: error.path, reason: error.reason)
        }
    }
}
