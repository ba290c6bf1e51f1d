import FarmContract

extension JobSpec {
    /// A number among the spec's parameters: `fallback` when absent, refused naming
    /// `section.key` and `requirement` when it does not parse or is below `minimum`.
    func number<T: LosslessStringConvertible & Comparable>(_ key: String, section: String, fallback: T, minimum: T,
                                                           requirement: String) throws -> T {
        guard let text = parameters[key] else { return fallback }
        guard let value = T(text), value >= minimum else {
            throw WorkerError.unsupported(job: job, reason: "\(section).\(key) must be \(requirement), got '\(text)'")
        }
        return value
    }
}
