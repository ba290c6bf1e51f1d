// Every element type round-trips through a real file at every rank from scalar to 5-D, and
// numeric reads convert between types as libhdf5 does.
import CalFarmTestSupport
import HDF5
import Testing

@Suite("HDF5 element round trips")
struct RoundTripTests {
    /// Shapes for ranks 0…5 (rank 0 is a scalar dataset).
    static func shape(rank: Int) -> [Int] { Array([2, 3, 4, 1, 5].prefix(rank)) }

    /// Extremes first, then a spread of values that would expose truncation or byte swapping.
    static func integers<T: FixedWidthInteger>(_ count: Int) -> [T] {
        (0..<count).map { index in
            switch index {
            case 0: T.max
            case 1: T.min
            default: T(truncatingIfNeeded: index &* 7_919 &+ 13)
            }
        }
    }

    static func floats<T: BinaryFloatingPoint>(_ count: Int) -> [T] {
        (0..<count).map { index in index == 0 ? T.greatestFiniteMagnitude : T(index) * 0.25 - 3 }
    }

    /// Writes `values` at `shape`, closes the file, reopens it and checks type, shape and values.
    func roundTrip<T: HDF5Scalar & Equatable>(_ values: [T], shape: [Int], in directory: TemporaryDirectory) throws {
        // Given a dataset written and the file closed
        let path = directory.file("\(T.hdf5TypeName)-rank\(shape.count).h5")
        let file = try File.create(path)
        try file.root.write("values", values, shape: shape)
        try file.close()

        // When it is reopened and read
        let reopened = try File.open(path)
        let dataset = try reopened.root.dataset("values")

        // Then type, shape and values are what was written
        #expect(dataset.elementTypeName == T.hdf5TypeName)
        #expect(dataset.shape == shape)
        #expect(try dataset.read(T.self) == values)
        var buffer = [T](repeating: values[0], count: values.count)
        try buffer.withUnsafeMutableBufferPointer { try dataset.read(into: $0) }
        #expect(buffer == values)
    }

    @Test("every element type round-trips at each rank", arguments: 0...5)
    func everyTypeRoundTrips(rank: Int) throws {
        let directory = try TemporaryDirectory("hdf5-roundtrip")
        let shape = Self.shape(rank: rank)
        let count = shape.reduce(1, *)
        try roundTrip(Self.integers(count) as [UInt8], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [UInt16], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [Int16], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [UInt32], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [Int32], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [Int64], shape: shape, in: directory)
        try roundTrip(Self.integers(count) as [UInt64], shape: shape, in: directory)
        try roundTrip(Self.floats(count) as [Float], shape: shape, in: directory)
        try roundTrip(Self.floats(count) as [Double], shape: shape, in: directory)
    }

    @Test("numeric reads convert between numeric types")
    func numericConversion() throws {
        let directory = try TemporaryDirectory("hdf5-convert")
        let file = try File.create(directory.file("convert.h5"))
        try file.root.write("doubles", [1.0, 2.0, 300.0], shape: [3])
        try file.root.write("counts", [UInt16(7), 65_535], shape: [2])

        #expect(try file.root.dataset("doubles").read(Int32.self) == [1, 2, 300])
        #expect(try file.root.dataset("counts").read(Double.self) == [7, 65_535])
        try file.close()
    }

    @Test("a dataset can be created first and written later")
    func createThenWrite() throws {
        let directory = try TemporaryDirectory("hdf5-create")
        let path = directory.file("create.h5")
        let file = try File.create(path)
        let dataset = try file.root.createDataset("deep/inside/gain", of: Float.self, shape: [2, 2])
        try dataset.write([Float(1), 2, 3, 4])
        try file.close()

        let reopened = try File.open(path)
        #expect(try reopened.root.dataset("deep/inside/gain").read(Float.self) == [1, 2, 3, 4])
        #expect(reopened.root.exists("deep/inside"))
    }
}
