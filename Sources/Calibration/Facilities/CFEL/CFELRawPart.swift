import AGIPD
import Foundation
import HDF5

/// One CFEL part file opened for inspection or gather: `data` checked to be (frames, 128, 512)
/// int16 (uint16 accepted too), `sequence_number` read whatever its integer type and checked
/// to number each frame once, increasing, from 1 up to the run's `frame_numbers[0]`.
final class CFELRawPart {
    let path: String
    private let file: File
    private let data: Dataset
    let frames: Int
    /// 1-based run-wide frame numbers of the part's frames, increasing.
    let sequenceNumbers: [Int]
    /// `frame_numbers[0]`: frames the whole run should have.
    let runFrames: Int
    /// Where `data` lies in the file when it can be mapped (contiguous, unfiltered).
    private let storage: ContiguousStorage?
    private let signed: Bool

    static let frameElements = ModuleGeometry.pixels

    /// - Throws: `CalibrationError.badInput` naming the file and dataset.
    init(path: String) throws {
        self.path = path
        do {
            file = try File.open(path)
        } catch {
            throw CalibrationError.badInput(path: path, reason: "cannot be opened as HDF5 (\(error))")
        }
        let root = file.root
        func dataset(_ name: String) throws -> Dataset {
            guard root.exists(name) else {
                throw CalibrationError.badInput(path: path, reason: "has no \(name) (not a CFEL AGIPD part?)")
            }
            return try root.dataset(name, chunkCacheBytes: 16 << 20)
        }
        data = try dataset(CFELPartLayout.data)
        let shape = data.shape
        guard shape.count == 3, shape[1] == ModuleGeometry.rows, shape[2] == ModuleGeometry.columns else {
            throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.data) has shape \(shape), expected (frames, 128, 512)")
        }
        switch data.elementTypeName {
        case Int16.hdf5TypeName: signed = true
        case UInt16.hdf5TypeName: signed = false
        default:
            throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.data) is \(data.elementTypeName), expected int16")
        }
        frames = shape[0]
        let numbers = try dataset(CFELPartLayout.sequenceNumber)
        guard ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"].contains(numbers.elementTypeName) else {
            throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.sequenceNumber) is \(numbers.elementTypeName), expected integers")
        }
        guard numbers.shape.reduce(1, *) == frames, numbers.shape.count <= 2 else {
            throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.sequenceNumber) has shape \(numbers.shape), expected one number per frame (\(frames))")
        }
        // Read as int64: libhdf5 converts every integer type, signed or not.
        sequenceNumbers = try numbers.read(Int64.self).map { Int(truncatingIfNeeded: $0) }
        let total = try dataset(CFELPartLayout.frameNumbers).read(Int64.self)
        guard let first = total.first, first > 0 else {
            throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.frameNumbers)[0] is \(total.first.map(String.init) ?? "missing"), expected the run's frame count")
        }
        runFrames = Int(first)
        storage = signed ? try data.contiguousStorage(of: Int16.self) : try data.contiguousStorage(of: UInt16.self)
        try checkNumbers()
    }

    private func checkNumbers() throws {
        var previous = 0
        for (index, number) in sequenceNumbers.enumerated() {
            guard number > previous else {
                let reason = number <= 0 ? "is \(number); sequence numbers start at 1"
                    : "is \(number), not above the previous frame's \(previous); a part numbers its frames once, increasing"
                throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.sequenceNumber)[\(index)] \(reason)")
            }
            guard number <= runFrames else {
                throw CalibrationError.badInput(path: path, reason: "\(CFELPartLayout.sequenceNumber)[\(index)] is \(number), beyond the "
                    + "\(runFrames) frames of the run (\(CFELPartLayout.frameNumbers)[0]): a gap larger than the run, or the wrong file")
            }
            previous = number
        }
    }

    /// The index of the first frame whose sequence number is ≥ `number`.
    func firstIndex(atLeast number: Int) -> Int {
        var low = 0, high = sequenceNumbers.count
        while low < high {
            let mid = (low + high) / 2
            if sequenceNumbers[mid] < number { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The index of the frame with sequence number `number`, if the part has it.
    func index(of number: Int) -> Int? {
        let i = firstIndex(atLeast: number)
        return i < sequenceNumbers.count && sequenceNumbers[i] == number ? i : nil
    }

    /// Calls `body` with frames [first, first + count) as (count, 128, 512) elements, the int16
    /// bits taken as uint16 (AGIPD values are 0…16383; the caller checks the sign bit): mapped
    /// when `data` is contiguous, else read into `scratch`.
    func withFrames<R>(first: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>,
                       _ body: (UnsafePointer<UInt16>) throws -> R) throws -> R {
        let range = (first * Self.frameElements)..<((first + count) * Self.frameElements)
        if let storage {
            if signed {
                let mapped = try storage.map(Int16.self, elements: range)
                return try withExtendedLifetime(mapped) {
                    try UnsafeRawPointer(mapped.buffer.baseAddress!).withMemoryRebound(to: UInt16.self, capacity: range.count) { try body($0) }
                }
            }
            let mapped = try storage.map(UInt16.self, elements: range)
            return try withExtendedLifetime(mapped) { try body(mapped.buffer.baseAddress!) }
        }
        let selection = Hyperslab(start: [first, 0, 0], count: [count, ModuleGeometry.rows, ModuleGeometry.columns])
        if signed {
            try scratch.withMemoryRebound(to: Int16.self, capacity: range.count) {
                try data.read(into: UnsafeMutableBufferPointer(start: $0, count: range.count), selection: selection)
            }
        } else {
            try data.read(into: UnsafeMutableBufferPointer(start: scratch, count: range.count), selection: selection)
        }
        return try body(UnsafePointer(scratch))
    }

    /// Starts reading frames [first, first + count) into the page cache (cold files).
    func prefetch(first: Int, count: Int) {
        storage?.prefetch(elements: (first * Self.frameElements)..<((first + count) * Self.frameElements))
    }

    func close() { try? file.close() }
}
