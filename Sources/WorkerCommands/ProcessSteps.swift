import AGIPD
import Calibration
import FarmContract

/// The process handlers, the same at both facilities: each measurement's kernel reads the
/// gathered files of one unit (XFEL channel or CFEL module) and writes its per-ASIC products.
enum ProcessSteps {
    static func dark(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let target = try target(spec)
        var process = DarkProcess(outputDir: spec.outputDir, runs: spec.runs, channel: target.unit.channel ?? -1,
                                  asics: spec.asics, provenance: provenance, threads: StepDispatch.threads())
        (process.paths, process.unit, process.gatheredInputs) = (target.paths, target.unit, target.inputs)
        return StepOutcome(try process.run())
    }

    static func drspc(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let target = try target(spec)
        var process = DrspcProcess(outputDir: spec.outputDir, runs: spec.runs, channel: target.unit.channel ?? -1,
                                   asics: spec.asics, windows: try DrspcProcess.windows(from: spec.parameters),
                                   provenance: provenance)
        (process.paths, process.unit, process.gatheredInputs) = (target.paths, target.unit, target.inputs)
        return StepOutcome(try process.run())
    }

    static func xray(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let target = try target(spec)
        var process = XrayProcess(outputDir: spec.outputDir, runs: spec.runs, channel: target.unit.channel ?? -1,
                                  asics: spec.asics, provenance: provenance, threads: StepDispatch.threads())
        try process.apply(parameters: spec.parameters)
        (process.paths, process.unit, process.gatheredInputs) = (target.paths, target.unit, target.inputs)
        return StepOutcome(try process.run())
    }

    /// One current of a drscs scan: the unit's runs are that current's four (its `current`
    /// parameter names it, and the CFEL paths of the spec already carry it).
    static func drscs(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let target = try target(spec)
        guard let current = spec.parameters[DrscsCurrent.parameter] else {
            throw WorkerError.unsupported(job: spec.job, reason: "a drscs process unit needs the parameter current")
        }
        var process = DrscsProcess(runs: spec.runs, current: current, unit: target.unit, paths: target.paths,
                                   asics: spec.asics, safetyFactor: try DrscsSteps.safetyFactor(spec), provenance: provenance)
        process.gatheredInputs = target.inputs
        process.threads = StepDispatch.threads()
        return StepOutcome(try process.run())
    }

    /// The unit a process job calibrates, where its files are, and the gathered files it reads.
    static func target(_ spec: JobSpec) throws -> (paths: ProductPaths, unit: DetectorUnit, inputs: GatheredInputs?) {
        switch spec.facility {
        case .xfel:
            guard let channel = spec.channels.first else {
                throw WorkerError.unsupported(job: spec.job, reason: "process needs a channel")
            }
            return (spec.productPaths, .channel(channel), try XFELSteps.gatheredInputs(spec))
        case .cfel:
            let layout = try CFELSteps.layout(spec)
            return (spec.productPaths, .module(layout.module), try CFELSteps.gatheredInputs(spec))
        }
    }
}
