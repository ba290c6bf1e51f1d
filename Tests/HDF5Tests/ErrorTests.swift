// One test per failure class: each asserts the error case, that its description names the file,
// and that libhdf5 printed nothing (its automatic error printing is off).
import CalFarmTestSupport
import Foundation
import HDF5
import Testing

/// Runs `body` with stderr redirected to a file and returns what was written there. Other tests
/// may write to stderr meanwhile, so callers look only for libhdf5's `HDF5-DIAG` banner.
func capturingStandardError(_ body: () throws -> Void) throws -> String {
    let directory = try TemporaryDirectory("hdf5-stderr")
    let capturePath = directory.file("stderr.txt")
    _ = FileManager.default.createFile(atPath: capturePath, contents: nil)
    let capture = try FileHandle(forWritingTo: URL(fileURLWithPath: capturePath))
    fflush(nil)
    let saved = dup(STDERR_FILENO)
    dup2(capture.fileDescriptor, STDERR_FILENO)
    defer {
        fflush(nil)
        dup2(saved, STDERR_FILENO)
        close(saved)
    }
    try body()
    fflush(nil)
    return (try? String(contentsOfFile: capturePath, encoding: .utf8)) ?? ""
}

@Suite("HDF5 errors", .serialized)
struct ErrorTests {
    /// Expects `body` to throw an `HDF5Error` matching `isExpected` whose description names `file`,
    /// with nothing printed by libhdf5.
    func expectError(naming file: String, _ body: () throws -> Void,
                     sourceLocation: SourceLocation = #_sourceLocation,
                     _ isExpected: (HDF5Error) -> Bool) throws {
        var caught: HDF5Error?
        let printed = try capturingStandardError {
            do { try body() } catch let error as HDF5Error { caught = error }
        }
        let error = try #require(caught, "expected an HDF5Error", sourceLocation: sourceLocation)
        #expect(isExpected(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(file), "\(error.description)", sourceLocation: sourceLocation)
        #expect(!printed.contains("HDF5-DIAG"), "libhdf5 printed: \(printed)", sourceLocation: sourceLocation)
    }

    @Test("opening a missing file throws notFound naming it")
    func missingFile() throws {
        let directory = try TemporaryDirectory("hdf5-missing")
        let path = directory.file("absent.h5")
        try expectError(naming: path, { _ = try File.open(path) }) { $0 == .notFound(file: path, object: "") }
    }

    @Test("opening a truncated file throws libhdf5's message naming the file")
    func truncatedFile() throws {
        // Given a real file cut to half its size
        let directory = try TemporaryDirectory("hdf5-truncated")
        let path = directory.file("truncated.h5")
        let file = try File.create(path)
        try file.root.write("data", (0..<50_000).map { UInt32($0) }, shape: [50_000])
        try file.root.setAttribute("note", "written before truncation")
        try file.close()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()

        // When it is opened, then the error carries libhdf5's stack and names the file
        try expectError(naming: path, { _ = try File.open(path) }) { error in
            guard case .call(_, path, _, let messages) = error else { return false }
            return messages.contains { $0.contains("truncated") }
        }
    }

    @Test("opening a file that is not HDF5 throws invalidArgument naming it")
    func notHDF5() throws {
        let directory = try TemporaryDirectory("hdf5-text")
        let path = directory.file("notes.h5")
        try "plain text, not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        try expectError(naming: path, { _ = try File.open(path) }) { error in
            guard case .invalidArgument(path, "", let reason) = error else { return false }
            return reason.contains("not an HDF5 file")
        }
        try expectError(naming: directory.path, { _ = try File.open(directory.path) }) { error in
            if case .invalidArgument = error { return true } else { return false }
        }
    }

    @Test("a missing dataset or group throws notFound naming file and path")
    func missingDataset() throws {
        let directory = try TemporaryDirectory("hdf5-missing-dataset")
        let file = try File.create(directory.file("sparse.h5"))
        _ = try file.root.createGroup("INSTRUMENT")
        try expectError(naming: file.path, { _ = try file.root.dataset("INSTRUMENT/image/data") }) {
            $0 == .notFound(file: file.path, object: "/INSTRUMENT/image/data")
        }
        try expectError(naming: file.path, { _ = try file.root.group("INSTRUMENT").group("DET") }) {
            $0 == .notFound(file: file.path, object: "/INSTRUMENT/DET")
        }
        try file.close()
    }

    @Test("strings read as numbers, or numbers as strings, throw typeMismatch")
    func wrongElementType() throws {
        let directory = try TemporaryDirectory("hdf5-wrong-type")
        let file = try File.create(directory.file("types.h5"))
        try file.root.writeStrings("names", ["a", "b"])
        let numbers = try file.root.write("numbers", [UInt16(1), 2], shape: [2])
        try expectError(naming: file.path, { _ = try file.root.dataset("names").read(UInt16.self) }) {
            $0 == .typeMismatch(file: file.path, object: "/names", expected: "uint16", found: "string")
        }
        try expectError(naming: file.path, { try file.root.dataset("names").write([Float(1), 2]) }) {
            $0 == .typeMismatch(file: file.path, object: "/names", expected: "float32", found: "string")
        }
        try expectError(naming: file.path, { _ = try file.root.readStrings("numbers") }) {
            $0 == .typeMismatch(file: file.path, object: "/numbers", expected: "string", found: "uint16")
        }
        #expect(try numbers.read(UInt16.self) == [1, 2])
        try file.close()
    }

    @Test("selections outside the shape and wrong buffer sizes are refused without touching data")
    func badSelections() throws {
        let directory = try TemporaryDirectory("hdf5-bounds")
        let file = try File.create(directory.file("bounds.h5"))
        let dataset = try file.root.write("frames", [Int16](repeating: 7, count: 24), shape: [2, 3, 4])
        var buffer = [Int16](repeating: 0, count: 4)
        let outside = Hyperslab(start: [1, 2, 2], count: [1, 1, 4])
        try expectError(naming: file.path, {
            try buffer.withUnsafeMutableBufferPointer { try dataset.read(into: $0, selection: outside) }
        }) { error in
            guard case .invalidArgument(_, "/frames", let reason) = error else { return false }
            return reason.contains("outside shape [2, 3, 4]")
        }
        try expectError(naming: file.path, {
            try dataset.write([Int16](repeating: 1, count: 4), selection: Hyperslab(start: [-1, 0, 0], count: [1, 1, 4]))
        }) { if case .invalidArgument = $0 { true } else { false } }
        try expectError(naming: file.path, {
            _ = try dataset.read(Int16.self, selection: Hyperslab(start: [0, 0], count: [1, 1]))
        }) { if case .invalidArgument = $0 { true } else { false } }
        try expectError(naming: file.path, {
            try buffer.withUnsafeMutableBufferPointer {
                try dataset.read(into: $0, selection: Hyperslab(start: [0, 0, 0], count: [1, 2, 4]))
            }
        }) { $0 == .shapeMismatch(file: file.path, object: "/frames", expected: [1, 2, 4], found: [4]) }
        try expectError(naming: file.path, { try file.root.write("short", [Int16(1)], shape: [2, 2]) }) {
            $0 == .shapeMismatch(file: file.path, object: "/short", expected: [2, 2], found: [1])
        }
        try expectError(naming: file.path, { try dataset.resize(to: [4, 3, 4]) }) {
            if case .invalidArgument = $0 { true } else { false }
        }
        #expect(try dataset.read(Int16.self) == [Int16](repeating: 7, count: 24))
        try file.close()
    }

    @Test("a failing libhdf5 call reports operation, object and libhdf5's messages")
    func callErrorDescription() {
        let error = HDF5Error.call(operation: "open dataset", file: "run/RAW-R0001.h5", object: "/INDEX/trainId",
                                   messages: ["H5Dopen2(): unable to open dataset", "H5D__open_oid(): not found"])
        #expect(error.description == "HDF5: open dataset failed for '/INDEX/trainId' in file 'run/RAW-R0001.h5': "
                + "H5Dopen2(): unable to open dataset; H5D__open_oid(): not found")
    }
}
