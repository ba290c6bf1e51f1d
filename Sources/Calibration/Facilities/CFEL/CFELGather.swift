import AGIPD
import FarmContract
import Foundation

/// The gather step for one part of one CFEL run: every frame is placed by its run-wide
/// sequence number (agipd-reference §6.2.3), so the order of the parts and lost frames cannot
/// shift data, into the gathered layout XFEL uses (`GatheredSequenceHeader`), so process does
/// not know the facility.
///
/// A (train, cell) sample belongs to the part holding its analog frame. Its digital frame is
/// the next sequence number, in the same part or, when the pair is split between files, in the
/// part that holds it (one extra frame read). Fixed on purpose: a sample counts only when both
/// its frames arrived; the original kept a sample whose digital frame was lost, with digital 0.
public struct CFELGather: Sendable {
    public var layout: CFELRawLayout
    public var paths: ProductPaths
    public var runNumber: Int
    /// The part number (0 for a run written without parts).
    public var part: Int
    public var cells: Int
    public var software: String
    /// Working memory per block of trains (raw frames + gathered slots); at least one train.
    public var blockBytes: Int

    public init(layout: CFELRawLayout, paths: ProductPaths, run: Int, part: Int, cells: Int, software: String = "",
                blockBytes: Int = 32 << 20) {
        self.layout = layout; self.paths = paths; self.runNumber = run; self.part = part; self.cells = cells
        self.software = software; self.blockBytes = blockBytes
    }

    public var outputPath: String { paths.gathered(run: runNumber, unit: .module(layout.module), sequence: part) }

    /// Gathers the part and renames the product into place.
    /// - Returns: the product, warnings (lost frames and trains, incomplete samples) and metrics
    ///   (`framesRead`, `bytesRead`, `samples`, `incompleteSamples`, `slots`, `cells`, `seconds`,
    ///   `secondsReadingConverting`, `secondsWriting`).
    /// - Throws: `CalibrationError` naming the directory or file at fault.
    public func run() throws -> StepReport {
        try StepReport.timed(output: outputPath) { try gather() }
    }

    /// A sample this part owns: its analog frame's index here, and where its digital frame is
    /// (`part` −1: here).
    private struct Sample {
        var train: Int
        var cell: Int
        var analog: Int
        var digitalPart: Int
        var digital: Int
    }

    private func gather() throws -> StepReport {
        guard cells > 0 else { throw CalibrationError.invalidArgument(name: "cells", reason: "must be at least 1, got \(cells)") }
        let files = try layout.partFiles(of: [runNumber])[0]
        guard let mine = files.firstIndex(where: { $0.partIndex == part }) else {
            throw CalibrationError.missingInput(path: layout.directory, what: "part \(part) of run \(runNumber) of module \(layout.module)")
        }
        let run = try CFELRunParts(run: runNumber, paths: files.map(layout.path), cells: cells)
        defer { run.close() }
        let raw = run.parts[mine]
        let numbers = raw.sequenceNumbers

        // The samples this part owns, in frame order (so trains never decrease).
        var samples: [Sample] = []
        var incomplete = 0
        samples.reserveCapacity(numbers.count / 2)
        for (index, number) in numbers.enumerated() {
            let place = CFELPartLayout.place(frame: number - 1, cells: cells)
            if place.digital {
                // Counted here only when its analog frame is nowhere (else its owner decides).
                let here = index > 0 && numbers[index - 1] == number - 1
                if !here, run.locate(number - 1) == nil { incomplete += 1 }
                continue
            }
            if index + 1 < numbers.count, numbers[index + 1] == number + 1 {
                samples.append(Sample(train: place.train, cell: place.cell, analog: index, digitalPart: -1, digital: index + 1))
            } else if let found = run.locate(number + 1) {
                samples.append(Sample(train: place.train, cell: place.cell, analog: index, digitalPart: found.part, digital: found.index))
            } else {
                incomplete += 1
            }
        }
        let slotStart = samples.first?.train ?? 0
        let slotEnd = samples.last.map { $0.train + 1 } ?? 0
        let framesPerTrain = 2 * cells
        let slotBytes = 2 * framesPerTrain * ModuleGeometry.pixels * 2
        let capacity = max(1, min(max(slotEnd - slotStart, 1), blockBytes / slotBytes))
        let block = GatherBlock(cells: cells, capacity: capacity, interleaved: false, wing: .one)
        let extra = UnsafeMutablePointer<UInt16>.allocate(capacity: ModuleGeometry.pixels)
        defer { extra.deallocate() }

        let header = GatheredSequenceHeader(
            software: software, run: runNumber, channel: -1, sequence: part, cells: cells, slotStart: slotStart,
            slotEnd: slotEnd, firstTrainId: 1, detectorString: "", layout: GatheredSequenceHeader.cfelLayout,
            sourceFile: files[mine].name, module: layout.module)
        var framesRead = 0, filling = 0.0, writing = 0.0
        try StagedProduct.write(to: outputPath) { temporary in
            let writer = try GatheredSequenceWriter(path: temporary, header: header)
            var cursor = 0
            for blockStart in stride(from: slotStart, to: slotEnd, by: capacity) {
                var clock = ContinuousClock.now
                let blockEnd = min(blockStart + capacity, slotEnd)
                var last = cursor
                while last < samples.count && samples[last].train < blockEnd { last += 1 }
                block.begin(slots: blockEnd - blockStart)
                if last > cursor {
                    framesRead += try fill(block, samples: samples[cursor..<last], firstSlot: blockStart, raw: raw,
                                           run: run, extra: extra)
                }
                block.finish()
                for slot in 0..<(blockEnd - blockStart) {
                    let row = block.present[(slot * cells)..<((slot + 1) * cells)]
                    block.trainIds[slot] = row.contains(1) ? UInt64(blockStart + slot + 1) : 0
                }
                cursor = last
                filling += Gather.seconds(since: clock)
                clock = .now
                try writer.write(slotOffset: blockStart - slotStart, slots: blockEnd - blockStart,
                                 analog: UnsafeBufferPointer(block.analog), digital: UnsafeBufferPointer(block.digital),
                                 present: UnsafeBufferPointer(block.present), trainIds: UnsafeBufferPointer(block.trainIds))
                writing += Gather.seconds(since: clock)
            }
            try writer.close()
        }
        var report = StepReport()
        report.outputs = [outputPath]
        report.warnings = warnings(files: files, mine: mine, run: run, incomplete: incomplete)
        report.metrics = [
            "framesRead": Double(framesRead), "bytesRead": Double(framesRead * ModuleGeometry.pixels * 2),
            "samples": Double(samples.count), "incompleteSamples": Double(incomplete),
            "slots": Double(slotEnd - slotStart), "cells": Double(cells),
            "secondsReadingConverting": filling, "secondsWriting": writing,
        ]
        return report
    }

    /// Reads the frames of `samples` (one read of this part, plus one frame per digital frame
    /// held by another part) and places them.
    /// - Returns: frames read.
    private func fill(_ block: GatherBlock, samples: ArraySlice<Sample>, firstSlot: Int, raw: CFELRawPart,
                      run: CFELRunParts, extra: UnsafeMutablePointer<UInt16>) throws -> Int {
        let first = samples.first!.analog
        let end = samples.reduce(first + 1) { max($0, ($1.digitalPart < 0 ? $1.digital : $1.analog) + 1) }
        let frame = ModuleGeometry.pixels
        var clean = true
        var read = end - first
        try raw.withFrames(first: first, count: end - first, scratch: block.raw.baseAddress!) { frames in
            for sample in samples {
                let analog = frames + (sample.analog - first) * frame
                let slot = sample.train - firstSlot
                if sample.digitalPart < 0 {
                    clean = block.placeAGIPD(analog: analog, digital: frames + (sample.digital - first) * frame,
                                             slot: slot, cell: sample.cell) && clean
                } else {
                    // The pair is split between two parts: its digital frame is read from the other.
                    try run.parts[sample.digitalPart].withFrames(first: sample.digital, count: 1, scratch: extra) { digital in
                        clean = block.placeAGIPD(analog: analog, digital: digital, slot: slot, cell: sample.cell) && clean
                    }
                    read += 1
                }
            }
        }
        guard clean else {
            throw CalibrationError.badInput(path: raw.path, reason: "\(CFELPartLayout.data) holds negative values between "
                + "frames \(first) and \(end - 1); AGIPD values are 0…16383 (is this a corrected or another detector's file?)")
        }
        return read
    }

    private func warnings(files: [CFELRawFile], mine: Int, run: CFELRunParts, incomplete: Int) -> [String] {
        var warnings: [String] = []
        let name = files[mine].name
        if incomplete > 0 {
            warnings.append("\(name): \(incomplete) sample(s) with only an analog or only a digital frame (the other was lost); left out")
        }
        // Run-wide losses, reported once: by the first part.
        guard mine == 0 else { return warnings }
        if run.lostFrames > 0 {
            let trains = run.trainsWithoutSamples()
            var text = "run \(runNumber): \(run.lostFrames) of \(run.runFrames) frames lost"
            if !trains.isEmpty {
                text += "; \(trains.count) train(s) without any sample: "
                    + trains.prefix(10).map { String($0 + 1) }.joined(separator: ", ") + (trains.count > 10 ? ", …" : "")
            }
            warnings.append(text)
        }
        return warnings
    }
}
