import AGIPD
import FarmContract
import Foundation

/// The drscs process step for one current of one module and a list of ASICs: reads the gathered
/// files of the current's four column-group runs (run k injects the columns of
/// ``DrscsColumns``) and writes one ``DrscsConstants`` product per ASIC. Each pixel's scan comes
/// from the run that injects its column; memory cells are taken in batches so the state stays
/// small (docs/formats.md "drscs", ``DrscsAccumulator``).
///
/// Fixed on purpose, compared with the original's side branch (agipd-reference §6.6): it runs
/// at all (the branch could not be imported); the low-gain parts span the steps from the first
/// low-gain frame to the end of the scan, so a single streaming pass suffices; failures are
/// codes per pixel and cell, never a crash of the ASIC.
public struct DrscsProcess: Sendable {
    public static let defaultSafetyFactor = 1000

    /// The current's four runs, col15, col26, col37, col48 order.
    public var runs: [Int]
    public var current: String
    public var unit: DetectorUnit
    /// Paths of this current (its CFEL spec is the current).
    public var paths: ProductPaths
    public var asics: [Int]
    public var safetyFactor: Int
    public var provenance: Provenance
    public var gatheredInputs: GatheredInputs?
    public var blockSlots = 16
    /// Memory cells per accumulator (each holds ~520 bytes per pixel and cell).
    public var cellBatch = 4
    /// Threads: each sums its own cells of the blocks read once (the unit's CPUs).
    public var threads = 1

    public init(runs: [Int], current: String, unit: DetectorUnit, paths: ProductPaths, asics: [Int],
                safetyFactor: Int = defaultSafetyFactor, provenance: Provenance) {
        self.runs = runs; self.current = current; self.unit = unit; self.paths = paths; self.asics = asics
        self.safetyFactor = safetyFactor; self.provenance = provenance
    }

    public func outputPath(asic: Int) -> String { paths.processed(runs: runs, unit: unit, asic: asic) }

    public func run() throws -> StepReport {
        try StepReport.timed { try process() }
    }

    private func process() throws -> StepReport {
        guard runs.count == DrscsColumns.runs else {
            throw CalibrationError.invalidArgument(name: "runs", reason: "drscs needs the 4 column-group runs of current \(current), got \(runs)")
        }
        guard safetyFactor > 0 else {
            throw CalibrationError.invalidArgument(name: "drscs.safety_factor", reason: "must be positive, got \(safetyFactor)")
        }
        let selected = try ASIC.selection(asics)
        let (inputs, cells) = try GatheredRunInput.open(paths: paths, runs: runs, unit: unit, named: gatheredInputs,
                                                        measurement: "drscs \(current)")
        defer { inputs.forEach { $0.close() } }
        let stepsOfRun = inputs.map { $0.readers.map(\.header.slotEnd).max() ?? 0 }
        let steps = stepsOfRun.max() ?? 0
        var report = StepReport()
        if Set(stepsOfRun).count > 1 {
            report.warnings.append("\(unit) \(current): the runs have different scan lengths "
                + zip(runs, stepsOfRun).map { "run \($0): \($1) steps" }.joined(separator: ", "))
        }
        let batch = min(cellBatch, cells)
        let workers = max(1, min(threads, (cells + batch - 1) / batch))
        var accumulators = (0..<workers).map { _ in DrscsAccumulator(cells: batch, steps: steps, safetyFactor: safetyFactor) }
        let elements = blockSlots * cells * ModuleGeometry.asicPixels
        let analog = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        let digital = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        defer { analog.deallocate(); digital.deallocate() }
        let collection = GatheredRunInput.collection(inputs, provenance: provenance)
        var bytesRead = 0
        var counts: [DrscsConstants.ErrorCode: Int] = [:]
        var accumulating = 0.0, writing = 0.0
        for asic in selected {
            var clock = ContinuousClock.now
            let upper = asic.number >= 9
            var constants = DrscsConstants(cells: cells, collection: collection)
            var first = 0
            while first < cells {
                // One batch per worker; the last ones may be smaller (fresh accumulators of their size).
                let starts = Array(stride(from: first, to: min(cells, first + workers * batch), by: batch))
                let states = starts.enumerated().map { t, start -> DrscsAccumulator in
                    let size = min(batch, cells - start)
                    if size != accumulators[t].cells {
                        accumulators[t] = DrscsAccumulator(cells: size, steps: steps, safetyFactor: safetyFactor)
                    }
                    accumulators[t].reset()
                    return accumulators[t]
                }
                for (k, input) in inputs.enumerated() {
                    bytesRead += try input.forEachBlock(asic: asic, slots: 0..<steps, blockSlots: blockSlots,
                                                        scratchAnalog: analog, scratchDigital: digital) { start, count, a, d, present in
                        // Each worker writes only its own accumulator; the block is shared read-only.
                        Parallel.forEachPart(states.count) { t in
                            states[t].add(run: k, upper: upper, firstStep: start, count: count, fileCells: cells,
                                          firstCell: starts[t], analog: a, digital: d, present: present)
                        }
                    }
                }
                for (t, state) in states.enumerated() { state.finish(into: &constants, firstCell: starts[t]) }
                first = starts.last! + states.last!.cells
            }
            for code in constants.errorCode { counts[DrscsConstants.ErrorCode(rawValue: code) ?? .fitFailed, default: 0] += 1 }
            accumulating += Gather.seconds(since: clock)
            clock = .now
            let path = outputPath(asic: asic.number)
            try StagedProduct.write(to: path) { try constants.write(to: $0) }
            report.outputs.append(path)
            writing += Gather.seconds(since: clock)
        }
        let failed = counts.filter { $0.key != .fitted }.map(\.value).reduce(0, +)
        if failed > 0 {
            let listing = counts.filter { $0.key != .fitted }.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.value) × error \($0.key.rawValue)" }.joined(separator: ", ")
            report.warnings.append("\(unit) \(current): \(failed) (cell, pixel) fit(s) failed (\(listing)); merge takes them from another current")
        }
        report.metrics = ["cells": Double(cells), "steps": Double(steps), "bytesRead": Double(bytesRead),
                          "asics": Double(selected.count), "failedFits": Double(failed),
                          "secondsAccumulating": accumulating, "secondsWriting": writing]
        return report
    }
}
