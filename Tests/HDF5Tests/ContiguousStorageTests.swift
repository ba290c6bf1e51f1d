// Mapping a contiguous dataset gives exactly the elements a read gives; datasets whose file
// bytes are not the elements (chunked, filtered, other byte order) are not offered for mapping,
// and a truncated file is refused before it could fault.
import CalFarmTestSupport
import Foundation
import HDF5
import Testing

@Suite("HDF5 contiguous storage maps")
struct ContiguousStorageTests {
    static let shape = [3, 5, 7]
    static let values: [UInt16] = (0..<105).map { UInt16(truncatingIfNeeded: $0 &* 4_099 &+ 17) }

    @Test func mappedElementsEqualTheElementsReadThroughHDF5() throws {
        let directory = try TemporaryDirectory("hdf5-map")
        let path = directory.file("c.h5")
        let file = try File.create(path)
        try file.root.setAttribute("note", "attributes before the data move its offset")
        try file.root.write("values", Self.values, shape: Self.shape)
        try file.close()

        let reopened = try File.open(path)
        let storage = try #require(try reopened.root.dataset("values").contiguousStorage(of: UInt16.self))
        #expect(storage.elements == 105 && storage.elementSize == 2)
        // An unaligned window in the middle: elements 37..<81.
        let window = try storage.map(UInt16.self, elements: 37..<81)
        #expect(Array(window.buffer) == Array(Self.values[37..<81]))
        try reopened.close()
        // The map outlives the HDF5 file.
        #expect(window.buffer.first == Self.values[37])
    }

    @Test func chunkedAndConvertedDatasetsAreNotOfferedForMapping() throws {
        let directory = try TemporaryDirectory("hdf5-map-no")
        let path = directory.file("n.h5")
        let file = try File.create(path)
        let chunked = try file.root.createDataset("chunked", of: UInt16.self, shape: Self.shape,
                                                  options: DatasetOptions(chunks: [1, 5, 7]))
        try chunked.write(Self.values)
        try file.root.write("plain", Self.values, shape: Self.shape)
        _ = try file.root.createDataset("unwritten", of: UInt16.self, shape: Self.shape)
        #expect(try chunked.contiguousStorage(of: UInt16.self) == nil)
        // Same bytes seen as another type would need conversion.
        #expect(try file.root.dataset("plain").contiguousStorage(of: Int16.self) == nil)
        #expect(try file.root.dataset("plain").contiguousStorage(of: UInt16.self) != nil)
        #expect(try file.root.dataset("unwritten").contiguousStorage(of: UInt16.self) == nil)
        try file.close()
    }

    @Test func aTruncatedFileIsRefusedNamingFileAndDataset() throws {
        let directory = try TemporaryDirectory("hdf5-map-truncated")
        let path = directory.file("t.h5")
        let file = try File.create(path)
        try file.root.write("values", Self.values, shape: Self.shape)
        try file.close()
        let storage = try #require(try File.open(path).root.dataset("values").contiguousStorage(of: UInt16.self))
        #expect(truncate(path, off_t(storage.offset + 10)) == 0)
        do {
            _ = try storage.map(UInt16.self, elements: 0..<105)
            Issue.record("expected the truncated file to be refused")
        } catch let error as HDF5Error {
            #expect(error.file == path && error.object == "/values" && error.description.contains("truncated"))
        }
        // Outside the dataset is an error too, not a map of whatever follows.
        #expect(throws: HDF5Error.self) { _ = try storage.map(UInt16.self, elements: 100..<106) }
    }
}
