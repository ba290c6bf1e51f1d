// Groups: creation with intermediate groups, existence checks, sorted children, and refusing
// to treat a dataset as a group (or the reverse).
import CalFarmTestSupport
import HDF5
import Testing

@Suite("HDF5 groups")
struct GroupTests {
    @Test("createGroup makes intermediate groups and exists sees every level")
    func createGroupWithIntermediates() throws {
        let directory = try TemporaryDirectory("hdf5-groups")
        let path = directory.file("groups.h5")
        let file = try File.create(path)
        let deep = try file.root.createGroup("INSTRUMENT/DET/0CH0")
        #expect(deep.name == "/INSTRUMENT/DET/0CH0")
        try deep.write("image/data", [UInt16(1)], shape: [1])
        try file.close()

        let root = try File.open(path).root
        #expect(root.exists("INSTRUMENT"))
        #expect(root.exists("INSTRUMENT/DET/0CH0/image/data"))
        #expect(root.exists("/INSTRUMENT/DET"))
        #expect(root.exists("/"))
        #expect(!root.exists("INSTRUMENT/missing/deeper"))
        #expect(!root.exists("INSTRUMENT/DET/0CH0/image/data/below-a-dataset"))
        let detector = try root.group("INSTRUMENT").group("DET")
        #expect(detector.name == "/INSTRUMENT/DET")
        #expect(detector.file == path)
        #expect(detector.exists("0CH0/image"))
        #expect(try detector.group("/INSTRUMENT").name == "/INSTRUMENT")
    }

    @Test("children are the direct members, sorted by name")
    func childrenAreSorted() throws {
        let directory = try TemporaryDirectory("hdf5-children")
        let file = try File.create(directory.file("children.h5"))
        _ = try file.root.createGroup("zeta/inner")
        _ = try file.root.createGroup("alpha")
        try file.root.write("middle", [Float(0)], shape: [1])
        #expect(try file.root.children() == ["alpha", "middle", "zeta"])
        #expect(try file.root.group("zeta").children() == ["inner"])
        #expect(try file.root.group("alpha").children() == [])
        try file.close()
    }

    @Test("a dataset is not opened as a group, nor a group as a dataset")
    func objectKindsAreChecked() throws {
        let directory = try TemporaryDirectory("hdf5-kinds")
        let file = try File.create(directory.file("kinds.h5"))
        _ = try file.root.createGroup("group")
        try file.root.write("data", [Int32(1)], shape: [1])
        #expect(throws: HDF5Error.typeMismatch(file: file.path, object: "/data", expected: "group", found: "dataset")) {
            try file.root.group("data")
        }
        #expect(throws: HDF5Error.typeMismatch(file: file.path, object: "/group", expected: "dataset", found: "group")) {
            try file.root.dataset("group")
        }
        try file.close()
    }

    @Test("creating over an existing object is refused")
    func createOverExistingRefused() throws {
        let directory = try TemporaryDirectory("hdf5-existing")
        let file = try File.create(directory.file("existing.h5"))
        _ = try file.root.createGroup("a/b")
        try file.root.write("a/data", [UInt8(1)], shape: [1])
        #expect { try file.root.createGroup("a/b") } throws: { error in
            guard case .invalidArgument(_, "/a/b", let reason) = error as? HDF5Error else { return false }
            return reason.contains("already exists")
        }
        #expect { try file.root.write("a/data", [UInt8(2)], shape: [1]) } throws: { error in
            guard case .invalidArgument(_, "/a/data", _) = error as? HDF5Error else { return false }
            return true
        }
        #expect(try file.root.dataset("a/data").read(UInt8.self) == [1])
        try file.close()
    }

    @Test("objects refuse work after their file is closed")
    func objectsRefuseWorkAfterClose() throws {
        let directory = try TemporaryDirectory("hdf5-closed")
        let file = try File.create(directory.file("closed.h5"))
        let dataset = try file.root.write("data", [Double(1)], shape: [1])
        let group = try file.root.createGroup("g")
        try file.close()
        #expect(!file.isOpen)
        #expect { try dataset.read(Double.self) } throws: { error in
            (error as? HDF5Error)?.description.contains(file.path) == true
                && (error as? HDF5Error)?.description.contains("closed") == true
        }
        #expect(throws: HDF5Error.self) { try group.children() }
        #expect(!group.exists("data"))
        try file.close()  // closing twice is harmless
    }

    @Test("a second open of the same file keeps working when the first is closed")
    func secondOpenSurvivesFirstClose() throws {
        let directory = try TemporaryDirectory("hdf5-twice")
        let path = directory.file("twice.h5")
        let created = try File.create(path)
        try created.root.write("data", [Int64(5), 6], shape: [2])
        try created.close()

        let first = try File.open(path)
        let second = try File.open(path)
        let firstData = try first.root.dataset("data")
        let secondData = try second.root.dataset("data")
        #expect(try firstData.read(Int64.self) == [5, 6])
        try first.close()
        #expect(try secondData.read(Int64.self) == [5, 6])
        try second.close()
    }
}
