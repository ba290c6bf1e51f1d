import AGIPD
import Calibration
import FarmContract

/// The handlers of CFEL job units: gather reads one part of one run of the spec's module; process
/// and join are the facility-neutral steps on the CFEL product tree.
enum CFELSteps {
    static func layout(_ spec: JobSpec) throws -> CFELRawLayout {
        guard let layout = spec.cfelLayout else {
            throw WorkerError.unsupported(job: spec.job, reason: "a CFEL unit needs the parameters module and temperature")
        }
        return layout
    }

    static func gather(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        guard let run = spec.runs.first, spec.runs.count == 1, let part = spec.sequence else {
            throw WorkerError.unsupported(job: spec.job, reason: "CFEL gather needs one run and a part (sequence)")
        }
        let report = try CFELGather(layout: try layout(spec), paths: spec.productPaths, run: run, part: part,
                                    cells: spec.cfelCells, software: CalFarmVersion.current).run()
        return StepOutcome(report)
    }

    /// The gathered parts of every run: as the spec names them, else every part found in the
    /// raw directory (a process-only request).
    static func gatheredInputs(_ spec: JobSpec) throws -> GatheredInputs {
        if let named = try XFELSteps.gatheredInputs(spec) { return named }
        let parts = try layout(spec).partFiles(of: spec.runs)
        return GatheredInputs(sequences: zip(spec.runs, parts).map { (run: $0, sequences: $1.map(\.partIndex)) })
    }

    static func join(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        _ = try layout(spec)
        var join = Join(paths: spec.productPaths, runs: spec.runs,
                        asics: spec.asics.isEmpty ? Array(1...16) : spec.asics, provenance: provenance)
        join.maskSigma = try XFELSteps.maskSigma(spec)
        return StepOutcome(try join.run())
    }
}
