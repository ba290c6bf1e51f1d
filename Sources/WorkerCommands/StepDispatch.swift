import Calibration
import FarmContract

/// Maps a job unit's step and measurement to the calibration code that executes it.
enum StepDispatch {
    static func run(_ spec: JobSpec) throws -> StepOutcome {
        throw WorkerError.unsupported(job: spec.job, reason: "\(spec.step.rawValue) for \(spec.measurement.rawValue) is not implemented yet")
    }
}
