import AGIPD
import Dispatch
import FarmContract
import Foundation

/// The xray process step for one channel (or CFEL module) and a list of ASICs: per pixel and memory cell, a
/// maximum-likelihood two-peak fit (`XrayPeakFitter`) of the analog values of every present
/// frame of every run (all runs of one element, fitted together), written as one
/// `XrayConstants` product per ASIC.
///
/// Fixed on purpose, compared with the original (agipd-reference §6.5): a likelihood fit of the
/// unsmoothed values instead of Gaussians fitted to a boxcar-smoothed histogram inside ±25-bin
/// windows (which run off narrow peaks); no fixed peak widths in the start; a failed fit is
/// NaN with a status code, never 0; the spacing is a float, not int16; its error is the inverse
/// Fisher information of the mixture; several runs are one sample, not transposed per run.
///
/// Memory is bounded by the histograms of one batch of cells (`memoryBudget`), not by trains:
/// each batch streams the runs' blocks once and touches only its cells of each mapped block.
public struct XrayProcess: Sendable {
    public var runs: [Int]
    /// The channel (XFEL) or module (CFEL) calibrated.
    public var unit: DetectorUnit
    /// Where its gathered files and products are (XFEL paths by default; CFEL paths for a module).
    public var paths: ProductPaths
    public var asics: [Int]
    public var element: String
    public var bins: Int
    public var settings: XrayFitSettings
    public var provenance: Provenance
    public var gatheredInputs: GatheredInputs?
    public var threads: Int
    /// Bytes the histograms of one batch of cells may take.
    public var memoryBudget: Int
    public var blockSlots: Int

    public init(outputDir: String, runs: [Int], channel: Int, asics: [Int], element: String = "Cu", bins: Int = 512,
                settings: XrayFitSettings = XrayFitSettings(), provenance: Provenance, threads: Int = 1,
                memoryBudget: Int = 256 << 20, blockSlots: Int = 32) {
        self.runs = runs; self.unit = .channel(channel)
        self.paths = ProductPaths(inputDir: "", outputDir: outputDir, measurement: .xray); self.asics = asics
        self.element = element; self.bins = bins; self.settings = settings; self.provenance = provenance
        self.threads = max(1, threads); self.memoryBudget = memoryBudget; self.blockSlots = blockSlots
    }

    /// Reads the `xray` parameters (`element`, `histogram_bins`, `min_peak_frames`, `min_spacing`).
    public mutating func apply(parameters: [String: String]) throws {
        func value<T: LosslessStringConvertible>(_ key: String, _ type: T.Type) throws -> T? {
            guard let text = parameters[key], !text.isEmpty else { return nil }
            guard let parsed = T(text) else {
                throw CalibrationError.invalidArgument(name: "xray.\(key)", reason: "'\(text)' is not a \(T.self)")
            }
            return parsed
        }
        if let text = parameters["element"], !text.isEmpty { element = text }
        if let bins = try value("histogram_bins", Int.self) { self.bins = bins }
        if let frames = try value("min_peak_frames", Int.self) { settings.minPeakFrames = frames }
        if let spacing = try value("min_spacing", Double.self) { settings.minSpacing = spacing }
    }

    public func outputPath(asic: Int) -> String { paths.processed(runs: runs, unit: unit, asic: asic) }

    public func run() throws -> StepReport {
        try StepReport.timed { try process() }
    }

    private func process() throws -> StepReport {
        guard let energy = MeasurementDescription.xrayLineEnergyKeV[element] else {
            throw CalibrationError.invalidArgument(name: "xray.element", reason: "'\(element)' is not one of "
                + MeasurementDescription.xrayLineEnergyKeV.keys.sorted().joined(separator: ", "))
        }
        guard !runs.isEmpty, bins >= 64 else {
            throw CalibrationError.invalidArgument(name: "runs", reason: "xray needs at least one run and 64 histogram bins")
        }
        let selected = try ASIC.selection(asics)
        let (inputs, cells) = try GatheredRunInput.open(paths: paths, runs: runs, unit: unit, named: gatheredInputs,
                                                        measurement: "xray")
        defer { inputs.forEach { $0.close() } }
        let perCell = ModuleGeometry.asicPixels * bins * MemoryLayout<UInt32>.stride
        let batchCells = max(1, min(cells, memoryBudget / perCell))
        let histograms = XrayHistograms(bins: bins, capacityCells: batchCells, threads: threads)
        let elements = blockSlots * cells * ModuleGeometry.asicPixels
        let analog = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        let digital = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: elements)
        let fits = UnsafeMutableBufferPointer<XrayPeakFit>.allocate(capacity: batchCells * ModuleGeometry.asicPixels)
        defer { analog.deallocate(); digital.deallocate(); fits.deallocate() }
        let collection = GatheredRunInput.collection(inputs, provenance: provenance)

        var report = StepReport()
        var bytesRead = 0, outside = 0
        var statusCounts = [Int](repeating: 0, count: XrayConstants.FitStatus.allCases.count)
        var histogramming = 0.0, fitting = 0.0, writing = 0.0
        for asic in selected {
            var constants = XrayConstants(cells: cells, energyKeV: energy, collection: collection)
            var first = 0
            while first < cells {
                let count = min(batchCells, cells - first)
                var clock = ContinuousClock.now
                histograms.reset(firstCell: first, count: count)
                for input in inputs {
                    let slots = 0..<(input.readers.map(\.header.slotEnd).max() ?? 0)
                    bytesRead += try input.forEachBlock(asic: asic, slots: slots, blockSlots: blockSlots,
                                                        scratchAnalog: analog, scratchDigital: digital) { _, slotCount, a, _, present in
                        histograms.add(analog: a, present: present, slots: slotCount, cells: cells)
                    } * count / cells / 2
                }
                histograms.finish()
                histogramming += Gather.seconds(since: clock)
                clock = .now
                fit(histograms, into: fits)
                fitting += Gather.seconds(since: clock)
                for local in 0..<count {
                    for pixel in 0..<ModuleGeometry.asicPixels {
                        let result = fits[local * ModuleGeometry.asicPixels + pixel]
                        let histogram = histograms.histogram(local: local, pixel: pixel)
                        outside += Int(histogram.outside)
                        constants.store(result, origin: Double(histogram.origin), cell: first + local, pixel: pixel)
                        statusCounts[Int(result.status.rawValue)] += 1
                    }
                }
                first += count
            }
            let clock = ContinuousClock.now
            let path = outputPath(asic: asic.number)
            try StagedProduct.write(to: path) { try constants.write(to: $0) }
            report.outputs.append(path)
            writing += Gather.seconds(since: clock)
        }
        let failed = statusCounts.dropFirst().reduce(0, +)
        if failed > 0 {
            let listing = XrayConstants.FitStatus.allCases.dropFirst().filter { statusCounts[Int($0.rawValue)] > 0 }
                .map { "\(statusCounts[Int($0.rawValue)]) \($0.meaning)" }
            report.warnings.append("\(unit): \(failed) of \(statusCounts.reduce(0, +)) (cell, pixel) fits failed, "
                + "NaN in the product: " + listing.joined(separator: ", "))
        }
        report.metrics = ["cells": Double(cells), "bytesRead": Double(bytesRead), "asics": Double(selected.count),
                          "failedFits": Double(failed), "valuesOutsideHistogram": Double(outside),
                          "cellsPerBatch": Double(batchCells), "secondsHistogramming": histogramming,
                          "secondsFitting": fitting, "secondsWriting": writing]
        return report
    }

    /// Fits every pixel of the batch, `threads` contiguous parts in parallel.
    private func fit(_ histograms: XrayHistograms, into fits: UnsafeMutableBufferPointer<XrayPeakFit>) {
        let planes = histograms.cellCount * ModuleGeometry.asicPixels
        let parts = min(threads, planes)
        let settings = self.settings
        let work: (Int) -> Void = { part in
            let scratch = XrayPeakFitter.Scratch()
            for plane in (part * planes / parts)..<((part + 1) * planes / parts) {
                let (counts, _, _) = histograms.histogram(local: plane / ModuleGeometry.asicPixels,
                                                          pixel: plane % ModuleGeometry.asicPixels)
                (fits.baseAddress! + plane).initialize(to: XrayPeakFitter.fit(counts, settings: settings, scratch: scratch))
            }
        }
        Parallel.forEachPart(parts, work)
    }
}

extension XrayConstants {
    /// Stores one fit; positions are shifted from histogram bins to ADU by `origin`.
    mutating func store(_ fit: XrayPeakFit, origin: Double, cell: Int, pixel: Int) {
        let plane = cell * ModuleGeometry.asicPixels + pixel
        let second = (cells + cell) * ModuleGeometry.asicPixels + pixel
        frameCount[plane] = UInt32(fit.frames)
        fitStatus[plane] = fit.status.rawValue
        guard fit.status == .converged else { return }
        photonSpacing[plane] = fit.spacing
        spacingError[plane] = fit.spacingError
        hitFraction[plane] = fit.hitFraction
        quality[plane] = fit.quality
        peakMean[plane] = fit.mean[0] + origin; peakMean[second] = fit.mean[1] + origin
        peakStddev[plane] = fit.sigma[0]; peakStddev[second] = fit.sigma[1]
        peakError[plane] = fit.sigmaError[0]; peakError[second] = fit.sigmaError[1]
    }
}
