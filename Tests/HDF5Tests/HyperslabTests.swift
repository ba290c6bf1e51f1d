// Partial I/O: hyperslab reads and writes into reused buffers, chunked + compressed datasets
// with a chunk cache, and unlimited datasets grown one frame at a time.
import CalFarmTestSupport
import Foundation
import HDF5
import Testing

@Suite("HDF5 hyperslabs, chunking and resizing")
struct HyperslabTests {
    /// The value stored at (frame, row, column) of the test cubes.
    static func value(_ frame: Int, _ row: Int, _ column: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: frame * 1_000 + row * 10 + column)
    }

    static func cube(frames: Int, rows: Int, columns: Int) -> [UInt16] {
        var values: [UInt16] = []
        for frame in 0..<frames { for row in 0..<rows { for column in 0..<columns {
            values.append(value(frame, row, column))
        } } }
        return values
    }

    @Test("hyperslab reads fill a reused buffer with exactly the selected block")
    func hyperslabReadsIntoReusedBuffer() throws {
        // Given a 4×6×8 cube on disk
        let directory = try TemporaryDirectory("hdf5-slab")
        let file = try File.create(directory.file("slab.h5"))
        let dataset = try file.root.write("cube", Self.cube(frames: 4, rows: 6, columns: 8), shape: [4, 6, 8])

        // When each frame's 3×4 corner block is read into the same buffer
        var buffer = [UInt16](repeating: 0, count: 3 * 4)
        for frame in 0..<4 {
            try buffer.withUnsafeMutableBufferPointer {
                try dataset.read(into: $0, selection: Hyperslab(start: [frame, 2, 4], count: [1, 3, 4]))
            }
            // Then the buffer holds that frame's block, row-major
            let expected = (2..<5).flatMap { row in (4..<8).map { Self.value(frame, row, $0) } }
            #expect(buffer == expected)
        }
        try file.close()
    }

    @Test("hyperslab writes replace only the selected block")
    func hyperslabWritesReplaceBlock() throws {
        let directory = try TemporaryDirectory("hdf5-slab-write")
        let path = directory.file("write.h5")
        let file = try File.create(path)
        let dataset = try file.root.createDataset("frames", of: Int32.self, shape: [3, 2, 2])
        let frame = [Int32](repeating: 0, count: 4)
        var buffer = frame
        for index in 0..<3 {
            for element in buffer.indices { buffer[element] = Int32(index * 10 + element) }
            try buffer.withUnsafeBufferPointer {
                try dataset.write(from: $0, selection: Hyperslab(start: [index, 0, 0], count: [1, 2, 2]))
            }
        }
        try dataset.write([Int32(-1), -2], selection: Hyperslab(start: [1, 1, 0], count: [1, 1, 2]))
        try file.close()

        let values = try File.open(path).root.dataset("frames").read(Int32.self)
        #expect(values == [0, 1, 2, 3, 10, 11, -1, -2, 20, 21, 22, 23])
    }

    @Test("chunked shuffle+deflate datasets with a chunk cache round-trip and compress")
    func chunkedCompressedRoundTrip() throws {
        // Given frames written one at a time into a compressed, chunked dataset
        let directory = try TemporaryDirectory("hdf5-chunked")
        let path = directory.file("chunked.h5")
        let (frames, rows, columns) = (10, 64, 64)
        let options = DatasetOptions(chunks: [1, rows, columns], deflate: 1, shuffle: true, chunkCacheBytes: 8 << 20)
        let file = try File.create(path)
        let dataset = try file.root.createDataset("image/data", of: UInt16.self, shape: [frames, rows, columns],
                                                  options: options)
        let all = Self.cube(frames: frames, rows: rows, columns: columns)
        var frame = [UInt16](repeating: 0, count: rows * columns)
        for index in 0..<frames {
            frame.withUnsafeMutableBufferPointer { target in
                for element in target.indices { target[element] = all[index * rows * columns + element] }
            }
            try frame.withUnsafeBufferPointer {
                try dataset.write(from: $0, selection: Hyperslab(start: [index, 0, 0], count: [1, rows, columns]))
            }
        }
        try file.close()

        // When it is reopened with a chunk cache and read whole and by frame
        let reopened = try File.open(path)
        let data = try reopened.root.dataset("image/data", chunkCacheBytes: 16 << 20)
        #expect(try data.read(UInt16.self) == all)
        try frame.withUnsafeMutableBufferPointer {
            try data.read(into: $0, selection: Hyperslab(start: [7, 0, 0], count: [1, rows, columns]))
        }
        #expect(frame == Array(all[(7 * rows * columns)..<(8 * rows * columns)]))

        // Then the file is much smaller than the raw data (the filters really ran)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? .max
        #expect(size < frames * rows * columns * 2 / 4)
    }

    @Test("unlimited datasets grow by resize and hyperslab write")
    func unlimitedDatasetGrows() throws {
        // Given an empty dataset unlimited along its first axis
        let directory = try TemporaryDirectory("hdf5-grow")
        let path = directory.file("grow.h5")
        let file = try File.create(path)
        let dataset = try file.root.createDataset(
            "trainId", of: UInt64.self, shape: [0, 3],
            options: DatasetOptions(chunks: [4, 3], maxShape: [nil, 3]))
        #expect(dataset.maxShape == [nil, 3])

        // When five rows are appended one at a time
        for row in 0..<5 {
            try dataset.resize(to: [row + 1, 3])
            let values = (0..<3).map { UInt64(row * 100 + $0) }
            try dataset.write(values, selection: Hyperslab(start: [row, 0], count: [1, 3]))
        }

        // Then the fixed axis cannot grow, and the file holds all rows
        #expect(throws: HDF5Error.self) { try dataset.resize(to: [5, 4]) }
        try file.close()
        let grown = try File.open(path).root.dataset("trainId")
        #expect(grown.shape == [5, 3])
        #expect(try grown.read(UInt64.self) == (0..<5).flatMap { row in (0..<3).map { UInt64(row * 100 + $0) } })
    }

    @Test("inconsistent dataset options are refused before libhdf5 sees them")
    func inconsistentOptionsRefused() throws {
        let directory = try TemporaryDirectory("hdf5-options")
        let file = try File.create(directory.file("options.h5"))
        let refusals: [DatasetOptions] = [
            DatasetOptions(deflate: 4),                                  // compression needs chunks
            DatasetOptions(maxShape: [nil]),                              // resizable needs chunks
            DatasetOptions(chunks: [2, 2]),                               // wrong rank
            DatasetOptions(chunks: [20]),                                 // chunk beyond fixed extent
            DatasetOptions(chunks: [2], deflate: 12),                     // no such gzip level
        ]
        for options in refusals {
            #expect {
                try file.root.createDataset("x", of: Float.self, shape: [10], options: options)
            } throws: { error in
                guard case .invalidArgument(let name, "/x", _) = error as? HDF5Error else { return false }
                return name == file.path
            }
        }
        #expect(!file.root.exists("x"))
        try file.close()
    }
}
