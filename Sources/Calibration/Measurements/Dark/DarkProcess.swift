import AGIPD
import FarmContract
import Foundation

/// The dark process step for one channel (or CFEL module) and a list of ASICs (agipd-reference §6.3): reads the
/// gathered files of every sequence of the three dark runs (high, medium, low gain) and writes
/// one `DarkConstants` product per ASIC, over present frames only, in one streaming pass.
public struct DarkProcess: Sendable {
    /// High, medium, low gain runs, in that order.
    public var runs: [Int]
    /// The channel (XFEL) or module (CFEL) calibrated.
    public var unit: DetectorUnit
    /// Where its gathered files and products are (XFEL paths by default; CFEL paths for a module).
    public var paths: ProductPaths
    /// ASIC numbers 1…16.
    public var asics: [Int]
    public var provenance: Provenance
    /// The gathered files to read, as the spec names them; nil: from the preprocess results.
    public var gatheredInputs: GatheredInputs?
    /// Working memory for one block of slots of one ASIC (analog + digital). Small on purpose:
    /// a block that stays in the CPU cache between the read and the kernel's pass was ~20 %
    /// faster than 64 MiB (docs/performance.md), and it bounds the job's memory.
    public var blockBytes: Int
    /// Bytes of one ASIC's analog + digital mapped at a time when the gathered files can be
    /// mapped (the usual case): large enough that each cell contributes many frames per pass,
    /// bounded so the job's resident memory does not grow with the number of trains. 0 reads
    /// every block through HDF5 instead.
    public var mappedBlockBytes: Int
    /// Threads summing and finishing the statistics (the job's CPUs): the memory cells are
    /// split between them. Reading and writing the products stay on one thread.
    public var threads: Int

    public init(outputDir: String, runs: [Int], channel: Int, asics: [Int], provenance: Provenance,
                blockBytes: Int = 4 << 20, mappedBlockBytes: Int = 64 << 20, threads: Int = 1) {
        self.runs = runs; self.unit = .channel(channel)
        self.paths = ProductPaths(inputDir: "", outputDir: outputDir, measurement: .dark); self.asics = asics
        self.provenance = provenance; self.blockBytes = blockBytes; self.mappedBlockBytes = mappedBlockBytes
        self.threads = threads
    }

    /// Product path of one ASIC: `<out>/dark/r…-r…-r…/process/dark-AGIPDCC_asicNN_agipd.h5`.
    public func outputPath(asic: Int) -> String { paths.processed(runs: runs, unit: unit, asic: asic) }

    /// Computes and writes the constants of every ASIC.
    /// - Returns: the products, warnings (cells without frames) and metrics (`framesUsed`,
    ///   `bytesRead`, `cells`, `seconds`, and its phases `secondsAccumulating` (read + kernel),
    ///   `secondsFinishing` (statistics, thresholds) and `secondsWriting` (products)).
    /// - Throws: `CalibrationError` naming the run, channel or file at fault; cell counts that
    ///   differ between runs are an error naming the runs.
    public func run() throws -> StepReport {
        try StepReport.timed { try process() }
    }

    private func process() throws -> StepReport {
        guard runs.count == DarkConstants.stages else {
            throw CalibrationError.invalidArgument(name: "runs", reason: "dark needs \(DarkConstants.stages) runs (high, medium, low gain), got \(runs)")
        }
        let selected = try ASIC.selection(asics)
        let (inputs, cells) = try GatheredRunInput.open(paths: paths, runs: runs, unit: unit, named: gatheredInputs,
                                                        measurement: "dark")
        defer { inputs.forEach { $0.close() } }

        let accumulator = DarkAccumulator(cells: cells, threads: threads)
        let slotBytes = 2 * cells * ModuleGeometry.asicPixels * 2
        let blockSlots = max(1, blockBytes / slotBytes)
        let mappedSlots = mappedBlockBytes > 0 ? max(1, mappedBlockBytes / slotBytes) : 0
        let maxSlots = min(blockSlots, inputs.flatMap(\.readers).map(\.header.slots).max() ?? 1)
        let blockElements = max(1, maxSlots) * cells * ModuleGeometry.asicPixels
        let analog = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: blockElements)
        let digital = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: blockElements)
        defer { analog.deallocate(); digital.deallocate() }

        let collection = GatheredRunInput.collection(inputs, provenance: provenance)
        var constants = DarkConstants(cells: cells, collection: collection)
        var report = StepReport()
        var bytesRead = 0
        // Seconds per phase, reported so a slow job shows where its time went.
        var accumulating = 0.0, finishing = 0.0, writing = 0.0
        for asic in selected {
            for (stage, input) in inputs.enumerated() {
                var clock = ContinuousClock.now
                accumulator.reset()
                bytesRead += try input.accumulate(asic: asic, into: accumulator, blockSlots: max(1, maxSlots), mappedSlots: mappedSlots,
                                                  analog: analog, digital: digital)
                accumulating += Gather.seconds(since: clock)
                clock = .now
                accumulator.finish(stage: stage, into: &constants)
                finishing += Gather.seconds(since: clock)
            }
            var clock = ContinuousClock.now
            DarkThresholds.compute(into: &constants)
            finishing += Gather.seconds(since: clock)
            clock = .now
            let path = outputPath(asic: asic.number)
            try StagedProduct.write(to: path) { try constants.write(to: $0) }
            writing += Gather.seconds(since: clock)
            report.outputs.append(path)
        }
        for (stage, input) in inputs.enumerated() {
            let empty = input.cellsWithoutFrames
            if !empty.isEmpty {
                report.warnings.append("run \(runs[stage]) \(unit): memory cell(s) \(empty.map(String.init).joined(separator: ", ")) have no frame; their stddev is NaN and frame_count 0")
            }
        }
        report.metrics = [
            "cells": Double(cells), "bytesRead": Double(bytesRead),
            "framesUsed": Double(inputs.map(\.presentFrames).reduce(0, +)),
            "asics": Double(selected.count),
            "secondsAccumulating": accumulating, "secondsFinishing": finishing, "secondsWriting": writing,
        ]
        return report
    }
}
