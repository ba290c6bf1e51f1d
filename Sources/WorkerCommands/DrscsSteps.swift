import AGIPD
import Calibration
import FarmContract

/// The drscs handlers beyond process: merge (the best current per pixel and cell) and the join
/// of the merged products. The spec's runs are every current's, current by current.
enum DrscsSteps {
    static func safetyFactor(_ spec: JobSpec) throws -> Int {
        try spec.number("safety_factor", section: "drscs", fallback: DrscsProcess.defaultSafetyFactor, minimum: 1,
                        requirement: "a positive number of ADU")
    }

    /// The configured currents with their runs.
    static func currents(_ spec: JobSpec) throws -> [(current: DrscsCurrent, runs: [Int])] {
        let names = (spec.parameters["currents"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, spec.runs.count == DrscsCurrent.runsPerCurrent * names.count else {
            throw WorkerError.unsupported(job: spec.job, reason: "drscs needs 4 runs per current of drscs.currents "
                + "(\(names)), got \(spec.runs.count) runs")
        }
        return try names.enumerated().map { index, name in
            guard let current = DrscsCurrent(name) else {
                throw WorkerError.unsupported(job: spec.job, reason: "drscs current '\(name)' does not end in its number (e.g. itestc80)")
            }
            return (current, DrscsCurrent.runs(ofCurrent: index, in: spec.runs))
        }
    }

    static func merge(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let layout = try CFELSteps.layout(spec)
        let merge = DrscsMerge(currents: try currents(spec), runs: spec.runs, unit: .module(layout.module),
                               paths: spec.productPaths, asics: spec.asics, provenance: provenance)
        return StepOutcome(try merge.run())
    }

    static func join(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        _ = try CFELSteps.layout(spec)
        var join = Join(paths: spec.productPaths, runs: spec.runs,
                        asics: spec.asics.isEmpty ? Array(1...16) : spec.asics, provenance: provenance)
        join.joinsMergedProducts = true
        return StepOutcome(try join.run())
    }
}
