import AGIPD
import Calibration
import FarmContract
import Foundation

/// Maps a job unit's step and measurement to the calibration code that executes it.
enum StepDispatch {
    /// Threads a job may use: `CALFARM_THREADS`, else the CPUs SLURM gave the task
    /// (`--cpus-per-task`, from the step's `cpus` setting), else 1.
    static func threads(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        for key in ["CALFARM_THREADS", "SLURM_CPUS_PER_TASK"] {
            if let text = environment[key], let count = Int(text), count > 0 { return count }
        }
        return 1
    }

    static func run(_ spec: JobSpec) throws -> StepOutcome {
        let provenance = Provenance(calfarmVersion: CalFarmVersion.current, request: spec.request,
                                    configuration: spec.configuration)
        switch (spec.facility, spec.step, spec.measurement) {
        case (.xfel, .preprocess, _):
            guard let run = spec.runs.first, spec.runs.count == 1 else {
                throw WorkerError.unsupported(job: spec.job, reason: "preprocess takes exactly one run, got \(spec.runs)")
            }
            let interleaved = spec.parameters["interleaved"] == "true"
            let result = try Preprocess(inputDir: spec.inputDir, run: run, channels: spec.channels,
                                        detectorString: spec.detectorString, interleaved: interleaved).run()
            let path = ProductPaths(inputDir: spec.inputDir, outputDir: spec.outputDir, measurement: spec.measurement)
                .preprocessResult(run: run)
            try result.write(to: path)
            return StepOutcome(writtenFiles: [path], warnings: result.warnings,
                               metrics: ["cells": Double(result.cells), "slots": Double(result.slotCount),
                                         "missingChannels": Double(result.missingChannels.count)])
        case (.xfel, .gather, _):
            guard let run = spec.runs.first, let channel = spec.channels.first, let sequence = spec.sequence else {
                throw WorkerError.unsupported(job: spec.job, reason: "gather needs one run, one channel and a sequence")
            }
            let report = try Gather(inputDir: spec.inputDir, outputDir: spec.outputDir, measurement: spec.measurement,
                                    run: run, channel: channel, sequence: sequence,
                                    detectorString: spec.detectorString, software: CalFarmVersion.current).run()
            return StepOutcome(report)
        case (.xfel, .process, .dark):
            guard let channel = spec.channels.first else {
                throw WorkerError.unsupported(job: spec.job, reason: "process needs a channel")
            }
            let report = try DarkProcess(outputDir: spec.outputDir, runs: spec.runs, channel: channel,
                                         asics: spec.asics, provenance: provenance, threads: threads()).run()
            return StepOutcome(report)
        case (.xfel, .join, _):
            let report = try Join(outputDir: spec.outputDir, measurement: spec.measurement, runs: spec.runs,
                                  channels: spec.channels, asics: spec.asics.isEmpty ? Array(1...16) : spec.asics,
                                  provenance: provenance).run()
            return StepOutcome(report)
        default:
            throw WorkerError.unsupported(
                job: spec.job,
                reason: "\(spec.step.rawValue) for \(spec.facility.rawValue) \(spec.measurement.rawValue) is not implemented yet")
        }
    }
}

extension StepOutcome {
    init(_ report: StepReport) {
        self.init(writtenFiles: report.outputs, warnings: report.warnings, missing: report.missing,
                  metrics: report.metrics)
    }
}
