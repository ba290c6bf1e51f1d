import AGIPD
import FarmContract
import Foundation

/// The drspc process step for one channel (or CFEL module) and a list of ASICs (agipd-reference §6.4): reads the
/// gathered files of the eight scan runs and writes one `DrspcConstants` product per ASIC.
///
/// Fixed on purpose, compared with the original: each run contributes only the rows it injects,
/// in both halves of the module (§6.2.5; the original's full-module mode filled rows 0–63 twice
/// and rows 64–127 never); lost frames are left out of the gain-level mean instead of averaged
/// as 0; an empty or one-step window is flagged in `fit_status`, not a crash or a 0; the fit
/// is closed-form from exact integer sums in one pass, not a least-squares call per pixel.
/// Only the slots inside the fit windows are read.
public struct DrspcProcess: Sendable {
    public static let defaultWindows = [42..<122, 402..<552]

    /// The eight runs in scan order (run k injects rows {7 − k + 8j} and {64 + k + 8j}).
    public var runs: [Int]
    /// The channel (XFEL) or module (CFEL) calibrated.
    public var unit: DetectorUnit
    /// Where its gathered files and products are (XFEL paths by default; CFEL paths for a module).
    public var paths: ProductPaths
    public var asics: [Int]
    /// High- and medium-gain fit windows, in scan steps (slots).
    public var windows: [Range<Int>]
    public var provenance: Provenance
    /// The gathered files to read, as the spec names them; nil: from the preprocess results.
    public var gatheredInputs: GatheredInputs?
    /// Slots per block read at a time.
    public var blockSlots: Int

    public init(outputDir: String, runs: [Int], channel: Int, asics: [Int], windows: [Range<Int>] = defaultWindows,
                provenance: Provenance, blockSlots: Int = 16) {
        self.runs = runs; self.unit = .channel(channel)
        self.paths = ProductPaths(inputDir: "", outputDir: outputDir, measurement: .drspc); self.asics = asics
        self.windows = windows; self.provenance = provenance; self.blockSlots = blockSlots
    }

    public func outputPath(asic: Int) -> String { paths.processed(runs: runs, unit: unit, asic: asic) }

    /// Parses the `drspc` parameters `high_gain_window` and `medium_gain_window` ("42,122").
    public static func windows(from parameters: [String: String]) throws -> [Range<Int>] {
        try ["high_gain_window", "medium_gain_window"].enumerated().map { index, key in
            guard let text = parameters[key] else { return defaultWindows[index] }
            let bounds = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard bounds.count == 2, bounds[0] >= 0, bounds[0] < bounds[1] else {
                throw CalibrationError.invalidArgument(name: "drspc.\(key)", reason: "expected [first, end) scan steps, got '\(text)'")
            }
            return bounds[0]..<bounds[1]
        }
    }

    /// Refuses runs out of scan order: run k must show a high-gain slope on the rows it injects
    /// well above the slope of rows it does not inject (flat in its data). A run given in the
    /// wrong position shows flat data on "its" rows, and would otherwise give slopes of ~0.
    static func checkScanOrder(runs: [Int], evidence: [(injected: [Double], control: [Double])], unit: DetectorUnit) throws {
        func median(_ values: [Double]) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            return sorted[sorted.count / 2]
        }
        var wrong: [String] = []
        for (k, run) in runs.enumerated() {
            guard let injected = median(evidence[k].injected), let control = median(evidence[k].control) else { continue }
            if !(injected > 10 * abs(control) && injected > 0) {
                wrong.append(String(format: "run %d (position %d): median high-gain slope %.3g on the rows it should inject, %.3g elsewhere",
                                    run, k + 1, injected, control))
            }
        }
        guard wrong.isEmpty else {
            throw CalibrationError.inconsistent(reason: "\(unit): the drspc runs are not in scan order, or carry no "
                + "pulse-capacitor signal (run k must inject rows {7 − k + 8j} and {64 + k + 8j}): " + wrong.joined(separator: "; "))
        }
    }

    public func run() throws -> StepReport {
        try StepReport.timed { try process() }
    }

    private func process() throws -> StepReport {
        guard runs.count == DrspcRows.runs else {
            throw CalibrationError.invalidArgument(name: "runs", reason: "drspc needs 8 runs in scan order, got \(runs)")
        }
        guard windows.count == DrspcConstants.windows, windows[0].upperBound <= windows[1].lowerBound else {
            throw CalibrationError.invalidArgument(name: "windows", reason: "need a high-gain window before a medium-gain window, got \(windows)")
        }
        let selected = try ASIC.selection(asics)
        let (inputs, cells) = try GatheredRunInput.open(paths: paths, runs: runs, unit: unit, named: gatheredInputs,
                                                        measurement: "drspc")
        defer { inputs.forEach { $0.close() } }

        let accumulator = DrspcAccumulator(cells: cells, windows: windows)
        let elements = blockSlots * cells * ModuleGeometry.asicPixels
        let analog = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        let digital = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        defer { analog.deallocate(); digital.deallocate() }
        let collection = GatheredRunInput.collection(inputs, provenance: provenance)
        var report = StepReport()
        var bytesRead = 0, flagged = 0
        var evidence = [(injected: [Double], control: [Double])](repeating: ([], []), count: runs.count)
        var staged: [(temporary: String, path: String)] = []
        defer { for (temporary, _) in staged { try? FileManager.default.removeItem(atPath: temporary) } }
        var accumulating = 0.0, writing = 0.0
        for asic in selected {
            var clock = ContinuousClock.now
            let upper = asic.number >= 9
            accumulator.reset()
            for (k, input) in inputs.enumerated() {
                for window in windows {
                    bytesRead += try input.forEachBlock(asic: asic, slots: window, blockSlots: blockSlots,
                                                        scratchAnalog: analog, scratchDigital: digital) { first, count, a, d, present in
                        accumulator.add(run: k, upper: upper, firstSlot: first, count: count, analog: a, digital: d, present: present)
                    }
                }
            }
            var constants = DrspcConstants(cells: cells, collection: collection)
            accumulator.finish(upper: upper, into: &constants)
            flagged += constants.fitStatus.filter { $0 != 0 }.count
            for (k, found) in accumulator.orderEvidence(upper: upper, constants: constants).enumerated() {
                evidence[k].injected += found.injected
                evidence[k].control += found.control
            }
            accumulating += Gather.seconds(since: clock)
            clock = .now
            // Written under temporary names and renamed only after the scan-order check of all
            // ASICs: runs out of order leave no product.
            let path = outputPath(asic: asic.number)
            let temporary = AtomicFile.temporaryPath(for: path)
            staged.append((temporary, path))
            try AtomicFile.createParent(of: path)
            try constants.write(to: temporary)
            writing += Gather.seconds(since: clock)
        }
        try Self.checkScanOrder(runs: runs, evidence: evidence, unit: unit)
        for (temporary, path) in staged {
            try AtomicFile.commit(temporary: temporary, to: path)
            report.outputs.append(path)
        }
        staged = []
        if flagged > 0 {
            report.warnings.append("\(unit): \(flagged) (window, cell, pixel) fit(s) flagged in fit_status "
                + "(no frame, or fewer than two scan steps in the window \(windows))")
        }
        report.metrics = ["cells": Double(cells), "bytesRead": Double(bytesRead), "asics": Double(selected.count),
                          "flaggedFits": Double(flagged), "secondsAccumulating": accumulating, "secondsWriting": writing]
        return report
    }
}
