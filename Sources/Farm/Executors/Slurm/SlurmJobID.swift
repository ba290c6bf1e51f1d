import Foundation

/// A SLURM job, or one task of an array job, written `123` or `123_4` as every client accepts.
public struct SlurmJobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The job id; for an array task, the id of the whole array (`%F`, `SLURM_ARRAY_JOB_ID`).
    public var job: Int
    /// The array index (`SLURM_ARRAY_TASK_ID`), or nil for a plain job or a whole array.
    public var arrayTask: Int?

    public init(job: Int, arrayTask: Int? = nil) {
        self.job = job
        self.arrayTask = arrayTask
    }

    /// Parses `123` or `123_4`; nil for anything else (including `123_[2-5%2]`, a pending
    /// array range that `sacct` prints before the tasks are split off).
    public init?(parsing text: Substring) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let underscore = text.firstIndex(of: "_") {
            guard let job = Int(text[..<underscore]),
                  let task = Int(text[text.index(after: underscore)...]) else { return nil }
            self.init(job: job, arrayTask: task)
        } else {
            guard let job = Int(text) else { return nil }
            self.init(job: job)
        }
    }

    public init?(parsing text: String) { self.init(parsing: Substring(text)) }

    public var description: String { arrayTask.map { "\(job)_\($0)" } ?? "\(job)" }

    public static func < (a: SlurmJobID, b: SlurmJobID) -> Bool {
        (a.job, a.arrayTask ?? -1) < (b.job, b.arrayTask ?? -1)
    }
}
