import AGIPD
import CalFarmTestSupport
import FarmContract
import HDF5
import Testing

/// The product types write exactly the keys their measurement's description names, so the
/// controller's description, the worker's product and join agree.
@Suite("product keys against the measurement descriptions")
struct ProductKeysTests {
    static let collection = ProductCollection(runNumbers: ["r0001"], creationDate: "2026-12-02T00:00:00Z",
                                              provenance: Provenance(calfarmVersion: "0", request: "r", configuration: ""),
                                              inputFiles: [])

    func datasets(_ path: String) throws -> Set<String> {
        let file = try File.open(path)
        defer { try? file.close() }
        return Set(try file.root.children().filter { $0 != ProductCollection.groupName })
    }

    @Test("dark, drspc and xray products hold their description's product keys")
    func keys() throws {
        let dir = try TemporaryDirectory("product-keys")
        try DarkConstants(cells: 1, collection: Self.collection).write(to: dir.file("dark.h5"))
        try DrspcConstants(cells: 1, collection: Self.collection).write(to: dir.file("drspc.h5"))
        #expect(try datasets(dir.file("dark.h5")) == Set(MeasurementDescription.dark.productKeys))
        #expect(try datasets(dir.file("drspc.h5")) == Set(MeasurementDescription.drspc.productKeys))
        try XrayConstants(cells: 1, energyKeV: 8, collection: Self.collection).write(to: dir.file("xray.h5"))
        #expect(try datasets(dir.file("xray.h5")) == Set(MeasurementDescription.xray.productKeys))
    }

    @Test("every description names its measurement; XFEL steps run from preprocess to join, CFEL from gather to join")
    func steps() {
        for measurement in FarmContract.Measurement.allCases {
            let description = MeasurementCatalog.description(of: measurement)
            #expect(description.measurement == measurement)
            #expect(description.steps(at: .xfel).first == .preprocess && description.steps(at: .xfel).last == .join)
            #expect(description.steps(at: .cfel).first == .gather && description.steps(at: .cfel).last == .join)
        }
    }
}
