import AGIPD
import Calibration
import FarmContract
import Foundation

/// The worker's registry of what it executes: one handler per (facility, measurement, step).
/// A spec outside the table is refused; `calfarm-worker inspect` reports the table, and the
/// controller refuses at plan time any request that needs a step not in it.
enum StepDispatch {
    typealias Handler = @Sendable (JobSpec, Provenance) throws -> StepOutcome
    typealias Key = InspectionReport.Capability

    static let handlers: [Key: Handler] = {
        var table: [Key: Handler] = [:]
        // Per facility, the steps before and after process (its raw layout and its join);
        // process is the measurement's kernel, the same at both facilities.
        let facilitySteps: [Facility: [Step: Handler]] = [
            .xfel: [.preprocess: XFELSteps.preprocess, .gather: XFELSteps.gather, .join: XFELSteps.join],
            .cfel: [.gather: CFELSteps.gather, .join: CFELSteps.join],
        ]
        let process: [FarmContract.Measurement: Handler] = [
            .dark: ProcessSteps.dark, .drspc: ProcessSteps.drspc, .xray: ProcessSteps.xray,
        ]
        // drscs is a CFEL measurement (the original's XFEL drscs has no currents): its process,
        // merge of the currents, and join of the merged products.
        table[Key(facility: .cfel, measurement: .drscs, step: .gather)] = CFELSteps.gather
        table[Key(facility: .cfel, measurement: .drscs, step: .process)] = ProcessSteps.drscs
        table[Key(facility: .cfel, measurement: .drscs, step: .merge)] = DrscsSteps.merge
        table[Key(facility: .cfel, measurement: .drscs, step: .join)] = DrscsSteps.join
        for (facility, steps) in facilitySteps {
            for (measurement, kernel) in process {
                table[Key(facility: facility, measurement: measurement, step: .process)] = kernel
                for (step, handler) in steps {
                    table[Key(facility: facility, measurement: measurement, step: step)] = handler
                }
            }
        }
        return table
    }()

    /// The registry's keys, sorted, as `inspect` reports them.
    static var capabilities: [Key] {
        handlers.keys.sorted { ($0.facility.rawValue, $0.measurement.rawValue, $0.step) < ($1.facility.rawValue, $1.measurement.rawValue, $1.step) }
    }

    /// Threads a job may use: `CALFARM_THREADS`, else the CPUs SLURM gave the task
    /// (`--cpus-per-task`, from the step's `cpus` setting), else 1.
    static func threads(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        for key in ["CALFARM_THREADS", "SLURM_CPUS_PER_TASK"] {
            if let text = environment[key], let count = Int(text), count > 0 { return count }
        }
        return 1
    }

    static func run(_ spec: JobSpec) throws -> StepOutcome {
        let key = Key(facility: spec.facility, measurement: spec.measurement, step: spec.step)
        guard let handler = handlers[key] else {
            throw WorkerError.unsupported(
                job: spec.job,
                reason: "this worker has no \(spec.step.rawValue) for \(spec.facility.rawValue) \(spec.measurement.rawValue)")
        }
        let provenance = Provenance(calfarmVersion: CalFarmVersion.current, request: spec.request,
                                    configuration: spec.configuration)
        return try handler(spec, provenance)
    }
}

extension StepOutcome {
    init(_ report: StepReport) {
        self.init(writtenFiles: report.outputs, warnings: report.warnings, missing: report.missing,
                  metrics: report.metrics)
    }
}
