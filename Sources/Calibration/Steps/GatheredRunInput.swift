import AGIPD
import FarmContract
import Foundation

/// The gathered files of one run and unit (one per XFEL sequence or CFEL part), opened and
/// cross-checked once; streams one ASIC at a time. Files may overlap in slots (CFEL parts that
/// share a train); their presence masks do not, so every sample is seen once.
final class GatheredRunInput {
    let run: Int
    let unit: DetectorUnit
    let files: [String]
    let readers: [GatheredSequenceReader]
    /// Presence mask (slots, cells) of each reader.
    private let present: [[UInt8]]
    let cells: Int

    /// - Parameter sequences: the sequences (parts) the spec names (``GatheredInputs``); nil reads
    ///   them from the run's XFEL preprocess result (specs of earlier CalFarm versions, tests).
    init(paths: ProductPaths, run: Int, unit: DetectorUnit, sequences named: [Int]? = nil) throws {
        self.run = run
        self.unit = unit
        let sequences: [Int]
        if let named {
            sequences = named
        } else {
            guard case .channel(let channel) = unit else {
                throw CalibrationError.missingInput(path: paths.runsDir(runs: [run]), what: "the list of gathered parts of run \(run) \(unit)")
            }
            let resultPath = paths.preprocessResult(run: run)
            let result = try GatherPreprocessInput.load(resultPath)
            guard let entry = result.channel(channel) else {
                throw CalibrationError.missingInput(path: resultPath, what: "channel \(channel) of run \(run) (not in the preprocess result)")
            }
            sequences = entry.sequences.map(\.sequence)
        }
        files = sequences.map { paths.gathered(run: run, unit: unit, sequence: $0) }
        let piece = unit.channel == nil ? "part" : "sequence"
        guard !files.isEmpty else {
            throw CalibrationError.missingInput(path: "\(paths.runsDir(runs: [run]))/gather", what: "any \(piece) of run \(run) \(unit)")
        }
        var readers: [GatheredSequenceReader] = []
        for (path, sequence) in zip(files, sequences) {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CalibrationError.missingInput(path: path, what: "gathered file of run \(run) \(unit) \(piece) \(sequence)")
            }
            let reader = try GatheredSequenceReader(path: path)
            let h = reader.header
            let holds: DetectorUnit = h.layout == GatheredSequenceHeader.cfelLayout ? .module(h.module) : .channel(h.channel)
            guard h.run == run, holds == unit, h.sequence == sequence else {
                throw CalibrationError.badInput(path: path, reason: "holds run \(h.run) \(holds) \(piece) \(h.sequence), expected run \(run) \(unit) \(piece) \(sequence)")
            }
            readers.append(reader)
        }
        let cellCounts = Set(readers.map(\.header.cells))
        guard cellCounts.count == 1, let cells = cellCounts.first else {
            let listing = readers.map { "\(($0.path as NSString).lastPathComponent): \($0.header.cells)" }
            throw CalibrationError.inconsistent(reason: "run \(run) \(unit): gathered files disagree on memory cells: " + listing.joined(separator: ", "))
        }
        self.cells = cells
        self.readers = readers
        present = try readers.map { try $0.readPresent() }
    }

    func close() { readers.forEach { try? $0.close() } }

    /// Present frames over all sequences.
    var presentFrames: Int { present.reduce(0) { $0 + $1.reduce(0) { $0 + Int($1) } } }

    /// Cells that have no present frame in any sequence of this run.
    var cellsWithoutFrames: [Int] {
        (0..<cells).filter { cell in
            !zip(readers, present).contains { reader, mask in
                (0..<reader.header.slots).contains { mask[$0 * cells + cell] != 0 }
            }
        }
    }

    /// Adds every present frame of `asic` to `accumulator`, in blocks of `blockSlots` slots
    /// (read into `analog`/`digital`) or, for files that can be mapped, `mappedSlots` slots
    /// mapped from the page cache (0: never map). Blocks without any present frame are not touched.
    /// - Returns: bytes read.
    func accumulate(asic: ASIC, into accumulator: DarkAccumulator, blockSlots: Int, mappedSlots: Int,
                    analog: UnsafeMutableBufferPointer<UInt16>, digital: UnsafeMutableBufferPointer<UInt16>) throws -> Int {
        var bytes = 0
        for (reader, mask) in zip(readers, present) {
            let map = reader.isMappable && mappedSlots > 0
            let step = map ? mappedSlots : blockSlots
            var start = 0
            if map { reader.prefetch(asic: asic, slotOffset: 0, slots: min(step, reader.header.slots)) }
            while start < reader.header.slots {
                let count = min(step, reader.header.slots - start)
                if map, start + count < reader.header.slots {
                    // The next block is read ahead while this one is summed (cold files).
                    reader.prefetch(asic: asic, slotOffset: start + count, slots: min(step, reader.header.slots - start - count))
                }
                let maskRange = (start * cells)..<((start + count) * cells)
                if mask[maskRange].contains(where: { $0 != 0 }) {
                    try reader.withBlock(asic: asic, slotOffset: start, slots: count, map: map,
                                         scratchAnalog: analog, scratchDigital: digital) { analogBlock, digitalBlock in
                        mask[maskRange].withUnsafeBufferPointer { presentBlock in
                            accumulator.add(analog: analogBlock, digital: digitalBlock, present: presentBlock, slots: count)
                        }
                    }
                    bytes += 2 * count * cells * ModuleGeometry.asicPixels * 2
                }
                start += count
            }
        }
        return bytes
    }

    /// Calls `body` for every block of at most `blockSlots` slots of `asic` whose run slots lie
    /// in `slots` and that hold a present frame: the run slot of the block's first row, its
    /// slot count, its (count, cells, 64, 64) analog and digital elements (mapped when the file
    /// allows, else read into the scratch buffers) and its (count, cells) presence mask.
    /// - Returns: bytes of image data handed to `body`.
    func forEachBlock(asic: ASIC, slots: Range<Int>, blockSlots: Int,
                      scratchAnalog: UnsafeMutableBufferPointer<UInt16>, scratchDigital: UnsafeMutableBufferPointer<UInt16>,
                      _ body: (Int, Int, UnsafeBufferPointer<UInt16>, UnsafeBufferPointer<UInt16>, ArraySlice<UInt8>) throws -> Void)
        throws -> Int {
        var bytes = 0
        for (reader, mask) in zip(readers, present) {
            let h = reader.header
            let lower = max(slots.lowerBound, h.slotStart), upper = min(slots.upperBound, h.slotEnd)
            var start = lower
            while start < upper {
                let count = min(blockSlots, upper - start)
                let row = start - h.slotStart
                let maskRange = (row * cells)..<((row + count) * cells)
                if mask[maskRange].contains(where: { $0 != 0 }) {
                    try reader.withBlock(asic: asic, slotOffset: row, slots: count, map: reader.isMappable,
                                         scratchAnalog: scratchAnalog, scratchDigital: scratchDigital) { analog, digital in
                        try body(start, count, analog, digital, mask[maskRange])
                    }
                    bytes += 2 * count * cells * ModuleGeometry.asicPixels * 2
                }
                start += count
            }
        }
        return bytes
    }

    /// The gathered files of every run of a process unit (those `named`, else from the
    /// preprocess results), and their common cell count. The caller closes them.
    static func open(paths: ProductPaths, runs: [Int], unit: DetectorUnit, named: GatheredInputs?, measurement: String) throws
        -> (inputs: [GatheredRunInput], cells: Int) {
        var inputs: [GatheredRunInput] = []
        do {
            for run in runs {
                inputs.append(try GatheredRunInput(paths: paths, run: run, unit: unit, sequences: named?.sequences(of: run)))
            }
            return (inputs, try commonCells(inputs, measurement: measurement))
        } catch {
            inputs.forEach { $0.close() }
            throw error
        }
    }

    /// The runs' cell count; every run (and every sequence file) must agree.
    static func commonCells(_ inputs: [GatheredRunInput], measurement: String) throws -> Int {
        let cells = inputs.map(\.cells)
        guard let first = cells.first, cells.allSatisfy({ $0 == first }) else {
            let listing = zip(inputs, cells).map { "run \($0.run): \($1) cells (\($0.files.first ?? "?"))" }
            throw CalibrationError.inconsistent(reason: "\(measurement) runs disagree on memory cells: " + listing.joined(separator: "; "))
        }
        return first
    }

    /// The `collection` of a process product made from `inputs`: their run tags, the files read,
    /// provenance and the creation time.
    static func collection(_ inputs: [GatheredRunInput], provenance: Provenance) -> ProductCollection {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return ProductCollection(runNumbers: inputs.map { ProductPaths.runTag($0.run) }, creationDate: formatter.string(from: Date()),
                                 provenance: provenance, inputFiles: inputs.flatMap(\.files))
    }
}
