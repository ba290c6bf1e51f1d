// Strings (variable-length UTF-8, as h5py writes `str`) and attributes (scalar, array, string)
// on groups and datasets.
import CalFarmTestSupport
import HDF5
import Testing

@Suite("HDF5 strings and attributes")
struct StringAndAttributeTests {
    @Test("string datasets round-trip, scalar and 1-D, including non-ASCII and empty strings")
    func stringDatasetsRoundTrip() throws {
        let directory = try TemporaryDirectory("hdf5-strings")
        let path = directory.file("strings.h5")
        let file = try File.create(path)
        try file.root.writeString("METADATA/creationDate", "20180425T123456Z")
        try file.root.writeStrings("METADATA/dataSources", ["SPB_DET_AGIPD1M-1/DET/0CH0:xtdf", "", "µm — Ångström"])
        try file.root.writeStrings("empty", [])
        try file.close()

        let root = try File.open(path).root
        #expect(try root.readString("METADATA/creationDate") == "20180425T123456Z")
        #expect(try root.readStrings("METADATA/dataSources") == ["SPB_DET_AGIPD1M-1/DET/0CH0:xtdf", "", "µm — Ångström"])
        #expect(try root.readStrings("empty") == [])
        let sources = try root.dataset("METADATA/dataSources")
        #expect(sources.elementTypeName == "string")
        #expect(sources.shape == [3])
    }

    /// Sets one of each attribute kind on `holder`.
    func setAll(on holder: some AttributeHolder) throws {
        try holder.setAttribute("gain", UInt16(3))
        try holder.setAttribute("temperature", -12.5)
        try holder.setAttribute("cells", [Int32(0), 1, 2, 63])
        try holder.setAttribute("units", "keV · µs")
        try holder.setAttribute("empty", [Float]())
    }

    /// Checks the attributes `setAll` wrote.
    func checkAll(on holder: some AttributeHolder) throws {
        #expect(try holder.attribute("gain", as: UInt16.self) == 3)
        #expect(try holder.attribute("gain", as: Double.self) == 3)
        #expect(try holder.attribute("temperature", as: Double.self) == -12.5)
        #expect(try holder.attributeArray("cells", as: Int32.self) == [0, 1, 2, 63])
        #expect(try holder.attributeArray("gain", as: UInt16.self) == [3])
        #expect(try holder.stringAttribute("units") == "keV · µs")
        #expect(try holder.attributeArray("empty", as: Float.self) == [])
        #expect(holder.hasAttribute("units"))
        #expect(!holder.hasAttribute("missing"))
    }

    @Test("attributes round-trip on the root group, a subgroup and a dataset")
    func attributesRoundTrip() throws {
        let directory = try TemporaryDirectory("hdf5-attributes")
        let path = directory.file("attributes.h5")
        let file = try File.create(path)
        try setAll(on: file.root)
        try setAll(on: try file.root.createGroup("constants"))
        try setAll(on: try file.root.write("constants/offset", [Float(1), 2], shape: [2]))
        try file.close()

        let root = try File.open(path).root
        try checkAll(on: root)
        try checkAll(on: try root.group("constants"))
        try checkAll(on: try root.dataset("constants/offset"))
    }

    @Test("setting an attribute again replaces it, even with another type")
    func attributeReplaced() throws {
        let directory = try TemporaryDirectory("hdf5-replace")
        let file = try File.create(directory.file("replace.h5"))
        try file.root.setAttribute("version", "one")
        try file.root.setAttribute("version", Int64(2))
        #expect(try file.root.attribute("version", as: Int64.self) == 2)
        try file.close()
    }

    @Test("attribute errors name the file, the object and the attribute")
    func attributeErrors() throws {
        let directory = try TemporaryDirectory("hdf5-attribute-errors")
        let file = try File.create(directory.file("errors.h5"))
        let group = try file.root.createGroup("g")
        try group.setAttribute("cells", [UInt8(1), 2])
        try group.setAttribute("name", "AGIPD")

        #expect(throws: HDF5Error.notFound(file: file.path, object: "/g@missing")) {
            try group.attribute("missing", as: Int32.self)
        }
        #expect(throws: HDF5Error.shapeMismatch(file: file.path, object: "/g@cells", expected: [], found: [2])) {
            try group.attribute("cells", as: UInt8.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: file.path, object: "/g@name", expected: "float32", found: "string")) {
            try group.attribute("name", as: Float.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: file.path, object: "/g@cells", expected: "string", found: "uint8")) {
            try group.stringAttribute("cells")
        }
        let description = HDF5Error.notFound(file: file.path, object: "/g@missing").description
        #expect(description.contains(file.path) && description.contains("missing") && description.contains("/g"))
        try file.close()
    }
}
