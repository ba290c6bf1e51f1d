import AGIPD
import FarmContract
import Foundation

/// The gather step for one raw sequence file of one run and channel (decision 0007): reads every
/// raw byte once, in blocks of whole trains, places each frame at its train slot (from the
/// preprocess result) and memory cell (from `cellId`), converts it to the AGIPD orientation,
/// splits it into the 16 ASICs and streams the gathered file (format: `GatheredSequenceHeader`).
///
/// Lost trains leave `present = 0` and a warning; outlier trains (slot −1) are skipped; a frame
/// whose cell is beyond the run's cells is an error naming the file.
public struct Gather: Sendable {
    public var inputDir: String
    public var outputDir: String
    public var measurement: FarmContract.Measurement
    public var runNumber: Int
    public var channel: Int
    public var sequence: Int
    /// The XFEL source prefix; nil = the one preprocess used (its result names it).
    public var detectorString: String?
    /// CalFarm version recorded in the gathered file.
    public var software: String
    /// Working memory per block (raw frames + gathered slots); at least one slot is used.
    /// 32 MiB (one train at 64 cells and more) touches less fresh memory than larger blocks,
    /// which is expensive on VMs, and was faster in calfarm-bench calibration.
    public var blockBytes: Int

    public init(inputDir: String, outputDir: String, measurement: FarmContract.Measurement = .dark, run: Int, channel: Int,
                sequence: Int, detectorString: String? = nil, software: String = "", blockBytes: Int = 32 << 20) {
        self.inputDir = inputDir; self.outputDir = outputDir; self.measurement = measurement
        self.runNumber = run; self.channel = channel; self.sequence = sequence
        self.detectorString = detectorString; self.software = software; self.blockBytes = blockBytes
    }

    var paths: ProductPaths { ProductPaths(inputDir: inputDir, outputDir: outputDir, measurement: measurement) }

    /// Where the product goes: `<out>/<meas>/rNNNN/gather/RNNNN-AGIPDCC-SNNNNN_gathered.h5`.
    public var outputPath: String { paths.gathered(run: runNumber, channel: channel, sequence: sequence) }

    /// Gathers the sequence file and renames the product into place.
    /// - Returns: the product path, warnings (lost and outlier trains) and metrics
    ///   (`framesRead`, `bytesRead`, `trains`, `lostTrains`, `outlierTrains`, `slots`, `seconds`,
    ///   and its phases `secondsReadingConverting` and `secondsWriting`).
    /// - Throws: `CalibrationError` naming the preprocess result or raw file at fault.
    public func run() throws -> StepReport {
        try StepReport.timed(output: outputPath) { try gather() }
    }

    /// Seconds from `start` to now (the steps' phase timings and the `seconds` metric).
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private func gather() throws -> StepReport {
        let resultPath = paths.preprocessResult(run: runNumber)
        let result = try GatherPreprocessInput.load(resultPath)
        let seq = try GatherPreprocessInput.sequence(result, path: resultPath, channel: channel, sequence: sequence)
        let rawPath = "\(paths.rawRunDir(run: runNumber))/\(seq.file)"
        guard FileManager.default.fileExists(atPath: rawPath) else {
            throw CalibrationError.missingInput(path: rawPath, what: "raw sequence file of run \(runNumber) channel \(channel)")
        }
        guard result.cells > 0 else {
            throw CalibrationError.badInput(path: resultPath, reason: "run \(runNumber) has \(result.cells) memory cells")
        }
        let detectorString = self.detectorString ?? result.detectorString
        let raw = try GatherRawSequence(path: rawPath, source: XFELSource(detectorString: detectorString, channel: channel))
        defer { try? raw.close() }

        let trains = seq.slots.indices.filter { seq.slots[$0] >= 0 }
        let slotStart = trains.first.map { seq.slots[$0] } ?? 0
        let slotEnd = trains.last.map { seq.slots[$0] + 1 } ?? 0
        let block = GatherBlock(cells: result.cells, capacity: blockCapacity(cells: result.cells, interleaved: result.interleaved,
                                                                             slots: slotEnd - slotStart),
                                interleaved: result.interleaved, wing: Wing(channel: channel))
        try validate(trains: trains, seq: seq, raw: raw, framesPerTrain: block.framesPerTrain)

        var report = StepReport()
        let header = GatheredSequenceHeader(
            software: software, run: runNumber, channel: channel, sequence: sequence, cells: result.cells,
            slotStart: slotStart, slotEnd: slotEnd, firstTrainId: result.firstTrainId, detectorString: detectorString,
            layout: result.layout.rawValue, sourceFile: seq.file)
        var framesRead = 0
        // Blocks of slots, each with its range of `trains`.
        var blocks: [(slots: Range<Int>, entries: Range<Int>)] = []
        var cursor = 0
        for blockStart in stride(from: slotStart, to: slotEnd, by: block.capacity) {
            let blockEnd = min(blockStart + block.capacity, slotEnd)
            var last = cursor
            while last < trains.count && seq.slots[trains[last]] < blockEnd { last += 1 }
            blocks.append((blockStart..<blockEnd, cursor..<last))
            cursor = last
        }
        // Seconds reading + converting vs writing, reported so a slow job shows which it was.
        var filling = 0.0, writing = 0.0
        try StagedProduct.write(to: outputPath) { temporary in
            let writer = try GatheredSequenceWriter(path: temporary, header: header)
            for (index, (slots, entries)) in blocks.enumerated() {
                if index + 1 < blocks.count {
                    // Read the next block ahead while this one is converted and written (cold files).
                    prefetch(entries: trains[blocks[index + 1].entries], seq: seq, raw: raw)
                }
                var clock = ContinuousClock.now
                framesRead += try fill(block, slots: slots, entries: trains[entries], seq: seq, raw: raw)
                filling += Self.seconds(since: clock)
                clock = .now
                try writer.write(slotOffset: slots.lowerBound - slotStart, slots: slots.count,
                                 analog: UnsafeBufferPointer(block.analog), digital: UnsafeBufferPointer(block.digital),
                                 present: UnsafeBufferPointer(block.present), trainIds: UnsafeBufferPointer(block.trainIds))
                writing += Self.seconds(since: clock)
            }
            try writer.close()
        }
        report.outputs = [outputPath]
        report.warnings = warnings(seq: seq, trains: trains, block: block, rawPath: rawPath)
        let lost = trains.filter { seq.counts[$0] == 0 }.count
        report.metrics = [
            "framesRead": Double(framesRead),
            "bytesRead": Double(framesRead * block.readPlanes * ModuleGeometry.pixels * 2),
            "trains": Double(trains.count - lost), "lostTrains": Double(lost),
            "outlierTrains": Double(seq.slots.count - trains.count), "slots": Double(slotEnd - slotStart),
            "cells": Double(result.cells), "secondsReadingConverting": filling, "secondsWriting": writing,
        ]
        return report
    }

    /// Slots per block: as many as fit `blockBytes`, at least 1.
    private func blockCapacity(cells: Int, interleaved: Bool, slots: Int) -> Int {
        let framesPerTrain = interleaved ? 2 * cells : cells
        let rawBytes = framesPerTrain * (interleaved ? 1 : 2) * ModuleGeometry.pixels * 2
        let gatheredBytes = 2 * ModuleGeometry.asicCount * cells * ModuleGeometry.asicPixels * 2
        return max(1, min(max(slots, 1), blockBytes / (rawBytes + gatheredBytes)))
    }

    /// Every listed train must fit the file and the run's cells before anything is written.
    private func validate(trains: [Int], seq: PreprocessResult.Sequence, raw: GatherRawSequence, framesPerTrain: Int) throws {
        for i in trains where seq.counts[i] > 0 {
            let first = seq.firstFrames[i], count = seq.counts[i]
            guard count <= framesPerTrain else {
                throw CalibrationError.badInput(path: raw.path, reason: "train \(seq.trainIds[i]) has \(count) frames, more than the \(framesPerTrain) of the run's memory cells")
            }
            guard first + count <= raw.frames else {
                throw CalibrationError.badInput(path: raw.path, reason: "train \(seq.trainIds[i]) needs frames \(first)..<\(first + count) but image/data has \(raw.frames) (truncated file?)")
            }
        }
    }

    private func prefetch(entries: ArraySlice<Int>, seq: PreprocessResult.Sequence, raw: GatherRawSequence) {
        let withFrames = entries.filter { seq.counts[$0] > 0 }
        guard let first = withFrames.map({ seq.firstFrames[$0] }).min(),
              let end = withFrames.map({ seq.firstFrames[$0] + seq.counts[$0] }).max() else { return }
        raw.prefetch(first: first, count: end - first)
    }

    /// Reads the block's trains (one read per run of contiguous frames) and places their frames.
    /// - Returns: frames read.
    private func fill(_ block: GatherBlock, slots: Range<Int>, entries: ArraySlice<Int>,
                      seq: PreprocessResult.Sequence, raw: GatherRawSequence) throws -> Int {
        block.begin(slots: slots.count)
        let withFrames = entries.filter { seq.counts[$0] > 0 }
        var rawFrame = 0
        var index = 0
        while index < withFrames.count {
            // Extend the read while the next train's frames follow on directly.
            let start = seq.firstFrames[withFrames[index]]
            var count = seq.counts[withFrames[index]]
            var next = index + 1
            while next < withFrames.count && seq.firstFrames[withFrames[next]] == start + count {
                count += seq.counts[withFrames[next]]
                next += 1
            }
            let scratch = block.raw.baseAddress! + rawFrame * block.readPlanes * ModuleGeometry.pixels
            try raw.withFrames(first: start, count: count, planes: block.readPlanes, scratch: scratch) { frames, stride in
                for entry in withFrames[index..<next] {
                    let slot = seq.slots[entry] - slots.lowerBound
                    block.trainIds[slot] = seq.trainIds[entry]
                    for frame in 0..<seq.counts[entry] {
                        let fileFrame = seq.firstFrames[entry] + frame
                        let cellId = Int(raw.cellIds[fileFrame])
                        guard block.place(frames + (fileFrame - start) * stride, slot: slot, cellId: cellId) else {
                            throw CalibrationError.badInput(path: raw.path, reason: "frame \(fileFrame) of train \(seq.trainIds[entry]) has cellId \(cellId), beyond the run's \(block.cells) memory cells")
                        }
                    }
                }
            }
            rawFrame += count
            index = next
        }
        block.finish()
        return rawFrame
    }

    private func warnings(seq: PreprocessResult.Sequence, trains: [Int], block: GatherBlock, rawPath: String) -> [String] {
        var warnings: [String] = []
        let name = (rawPath as NSString).lastPathComponent
        let lost = trains.filter { seq.counts[$0] == 0 }.map { seq.trainIds[$0] }
        if !lost.isEmpty {
            warnings.append("\(name): \(lost.count) train(s) without frames (lost): \(Self.list(lost))")
        }
        let outliers = seq.slots.indices.filter { seq.slots[$0] < 0 }.map { seq.trainIds[$0] }
        if !outliers.isEmpty {
            warnings.append("\(name): skipped \(outliers.count) outlier train id(s): \(Self.list(outliers))")
        }
        if block.duplicateFrames > 0 {
            warnings.append("\(name): \(block.duplicateFrames) frame(s) repeated a memory cell within a train; the later frame was kept")
        }
        if block.halfFrames > 0 {
            warnings.append("\(name): \(block.halfFrames) interleaved cell(s) had only analog or only digital; treated as absent")
        }
        return warnings
    }

    static func list(_ ids: [UInt64]) -> String {
        let shown = ids.prefix(10).map(String.init).joined(separator: ", ")
        return ids.count > 10 ? shown + ", …" : shown
    }
}
