import AGIPD
import Calibration
import FarmContract

/// The handlers of European XFEL job units: each checks the spec's shape and calls the step.
enum XFELSteps {
    static func preprocess(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        guard let run = spec.runs.first, spec.runs.count == 1 else {
            throw WorkerError.unsupported(job: spec.job, reason: "preprocess takes exactly one run, got \(spec.runs)")
        }
        let result = try Preprocess(inputDir: spec.inputDir, run: run, channels: spec.channels,
                                    detectorString: spec.detectorString,
                                    interleaved: spec.parameters[JobSpec.interleavedParameter] == "true").run()
        let path = ProductPaths(inputDir: spec.inputDir, outputDir: spec.outputDir, measurement: spec.measurement)
            .preprocessResult(run: run)
        try result.write(to: path)
        return StepOutcome(writtenFiles: [path], warnings: result.warnings,
                           metrics: ["cells": Double(result.cells), "slots": Double(result.slotCount),
                                     "missingChannels": Double(result.missingChannels.count)])
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

    static func processDark(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let channel = try processChannel(spec)
        var process = DarkProcess(outputDir: spec.outputDir, runs: spec.runs, channel: channel,
                                  asics: spec.asics, provenance: provenance, threads: StepDispatch.threads())
        process.gatheredInputs = try gatheredInputs(spec)
        return StepOutcome(try process.run())
    }

    static func processDrspc(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let channel = try processChannel(spec)
        var process = DrspcProcess(outputDir: spec.outputDir, runs: spec.runs, channel: channel, asics: spec.asics,
                                   windows: try DrspcProcess.windows(from: spec.parameters), provenance: provenance)
        process.gatheredInputs = try gatheredInputs(spec)
        return StepOutcome(try process.run())
    }

    static func processXray(_ spec: JobSpec, _ provenance: Provenance) throws -> StepOutcome {
        let channel = try processChannel(spec)
        var process = XrayProcess(outputDir: spec.outputDir, runs: spec.runs, channel: channel, asics: spec.asics,
                                  provenance: provenance, threads: StepDispatch.threads())
        try process.apply(parameters: spec.parameters)
        process.gatheredInputs = try gatheredInputs(spec)
        return StepOutcome(try process.run())
    }

    /// The channel a process unit calibrates.
    static func processChannel(_ spec: JobSpec) throws -> Int {
        guard let channel = spec.channels.first else {
            throw WorkerError.unsupported(job: spec.job, reason: "process needs a channel")
        }
        return channel
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
        let report = try Join(outputDir: spec.outputDir, measurement: spec.measurement, runs: spec.runs,
                              channels: spec.channels, asics: spec.asics.isEmpty ? Array(1...16) : spec.asics,
                              provenance: provenance).run()
        return StepOutcome(report)
    }
}
