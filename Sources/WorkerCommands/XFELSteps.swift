import AGIPD
import Calibration
import FarmContract

/// The handlers of European XFEL job units: each checks the spec's shape and calls the step.
enum XFELSteps {
    static func preprocess(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        guard let run = spec.runs.first, spec.runs.count == 1 else {
            throw WorkerError.unsupported(job: spec.job, reason: "preprocess takes exactly one run, got \(spec.runs)")
        }
        let started = ContinuousClock.now
        let result = try Preprocess(inputDir: spec.inputDir, run: run, channels: spec.channels,
                                    detectorString: spec.detectorString,
                                    interleaved: spec.parameters[JobSpec.interleavedParameter] == "true").run()
        let path = ProductPaths(inputDir: spec.inputDir, outputDir: spec.outputDir, measurement: spec.measurement)
            .preprocessResult(run: run)
        try result.write(to: path)
        return StepOutcome(writtenFiles: [path], warnings: result.warnings,
                           metrics: ["cells": Double(result.cells), "slots": Double(result.slotCount),
                                     "missingChannels": Double(result.missingChannels.count),
                                     "seconds": Gather.seconds(since: started)])
    }

    static func gather(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        guard let run = spec.runs.first, let channel = spec.channels.first, let sequence = spec.sequence else {
            throw WorkerError.unsupported(job: spec.job, reason: "gather needs one run, one channel and a sequence")
        }
        let report = try Gather(inputDir: spec.inputDir, outputDir: spec.outputDir, measurement: spec.measurement,
                                run: run, channel: channel, sequence: sequence,
                                software: CalFarmVersion.current).run()
        return StepOutcome(report)
    }

    /// The gathered files the spec names (nil for specs without the parameter).
    static func gatheredInputs(_ spec: JobSpec) throws -> GatheredInputs? {
        guard let text = spec.parameters[JobSpec.gatheredInputsParameter] else { return nil }
        guard let inputs = GatheredInputs(text: text), Set(inputs.sequences.map(\.run)) == Set(spec.runs) else {
            throw WorkerError.unsupported(job: spec.job, reason: "parameter \(JobSpec.gatheredInputsParameter) '\(text)' "
                + "does not name sequences for each of runs \(spec.runs)")
        }
        return inputs
    }

    static func join(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        var join = Join(outputDir: spec.outputDir, measurement: spec.measurement, runs: spec.runs,
                        channels: spec.channels, asics: spec.asics.isEmpty ? Array(1...16) : spec.asics, provenance: provenance)
        join.maskSigma = try maskSigma(spec)
        if let text = spec.parameters[JobSpec.joinedFileParameter] {
            guard let file = JobSpec.JoinedFile(rawValue: text) else {
                throw WorkerError.unsupported(job: spec.job, reason: "parameter \(JobSpec.joinedFileParameter) is \(text), expected "
                    + JobSpec.JoinedFile.allCases.map(\.rawValue).joined(separator: " or "))
            }
            join.only = file
        }
        return StepOutcome(try join.run())
    }

    /// `dark.mask_sigma`, the bad-pixel mask's k (dark joins only read it).
    static func maskSigma(_ spec: JobSpec) throws -> Double {
        try spec.number("mask_sigma", section: "dark", fallback: DarkBadPixelMask.defaultSigma, minimum: 1,
                        requirement: "a number ≥ 1")
    }
}
