import AGIPD
import CalFarmTestSupport
import HDF5
import Testing

/// Round trips of the gathered and dark product formats, and rejection of files whose datasets
/// have an unexpected shape or type (the message names the file and dataset).
@Suite struct ProductFormatTests {
    static func header(slots: Int, cells: Int) -> GatheredSequenceHeader {
        GatheredSequenceHeader(software: "test", run: 819, channel: 8, sequence: 2, cells: cells, slotStart: 10,
                               slotEnd: 10 + slots, firstTrainId: 5000, detectorString: "SPB_DET_AGIPD1M-1",
                               layout: XFELLayoutVersion.y2018.rawValue, sourceFile: "RAW-R0819-AGIPD08-S00002.h5")
    }

    @Test func gatheredFileRoundTripsBlockByBlock() throws {
        let directory = try TemporaryDirectory("gathered-format")
        let path = directory.file("g.h5")
        let slots = 3, cells = 2, block = 16 * cells * 4096
        let header = Self.header(slots: slots, cells: cells)
        let writer = try GatheredSequenceWriter(path: path, header: header)
        // Block 1: slots 0–1; block 2: slot 2. Values encode (asic, slot, cell, pixel).
        for (offset, count) in [(0, 2), (2, 1)] {
            var analog = [UInt16](repeating: 0, count: count * block), digital = analog
            for asic in 0..<16 { for s in 0..<count { for c in 0..<cells { for p in stride(from: 0, to: 4096, by: 1000) {
                let i = ((asic * count + s) * cells + c) * 4096 + p
                analog[i] = UInt16(asic * 1000 + (offset + s) * 100 + c * 10 + p / 1000)
                digital[i] = analog[i] + 1
            }}}}
            let present = [UInt8](repeating: 1, count: count * cells)
            let ids = (0..<count).map { UInt64(5010 + offset + $0) }
            try analog.withUnsafeBufferPointer { a in try digital.withUnsafeBufferPointer { d in
                try present.withUnsafeBufferPointer { p in try ids.withUnsafeBufferPointer { t in
                    try writer.write(slotOffset: offset, slots: count, analog: a, digital: d, present: p, trainIds: t)
                }}
            }}
        }
        try writer.close()

        let reader = try GatheredSequenceReader(path: path)
        #expect(reader.header == header)
        #expect(try reader.readTrainIds() == [5010, 5011, 5012])
        var analog = [UInt16](repeating: 0, count: slots * cells * 4096), digital = analog
        try analog.withUnsafeMutableBufferPointer { a in try digital.withUnsafeMutableBufferPointer { d in
            try reader.read(asic: ASIC(7)!, slotOffset: 0, slots: slots, analog: a, digital: d)
        }}
        for s in 0..<slots { for c in 0..<cells {
            let i = (s * cells + c) * 4096 + 2000
            #expect(analog[i] == UInt16(6000 + s * 100 + c * 10 + 2) && digital[i] == analog[i] + 1)
        }}

        // The mapped block (what the process step uses) holds the same elements as the read one,
        // for a window that starts inside the file.
        #expect(reader.isMappable)
        var scratchA = [UInt16](repeating: 0, count: slots * cells * 4096), scratchD = scratchA
        for map in [true, false] {
            let (mappedA, mappedD) = try scratchA.withUnsafeMutableBufferPointer { a in
                try scratchD.withUnsafeMutableBufferPointer { d in
                    try reader.withBlock(asic: ASIC(7)!, slotOffset: 1, slots: 2, map: map, scratchAnalog: a, scratchDigital: d) {
                        (Array($0), Array($1))
                    }
                }
            }
            #expect(mappedA == Array(analog[(cells * 4096)...]) && mappedD == Array(digital[(cells * 4096)...]))
        }
        try reader.close()
    }

    @Test func gatheredFileWithAnUnexpectedShapeIsRejectedNamingFileAndDataset() throws {
        let directory = try TemporaryDirectory("gathered-bad")
        let other = directory.file("bad.h5")
        let broken = try File.create(other)
        // Write attributes of a 2-slot file but datasets of 3 slots.
        try broken.root.setAttribute("format_version", Int64(1))
        for (name, value) in [("run", 819), ("channel", 8), ("sequence", 2), ("cells", 2), ("slot_start", 10), ("slot_end", 12)] {
            try broken.root.setAttribute(name, Int64(value))
        }
        try broken.root.setAttribute("first_train_id", UInt64(5000))
        for name in ["software", "detector_string", "source_file"] { try broken.root.setAttribute(name, "x") }
        try broken.root.setAttribute("layout", "2018")
        _ = try broken.root.createDataset("analog", of: UInt16.self, shape: [16, 3, 2, 64, 64])
        try broken.close()
        do {
            _ = try GatheredSequenceReader(path: other)
            Issue.record("expected a shape error")
        } catch let error as HDF5Error {
            #expect(error.description.contains(other) && error.description.contains("analog"))
        }
    }

    @Test func darkConstantsRoundTripAndRejectAWrongType() throws {
        let directory = try TemporaryDirectory("dark-format")
        let provenance = Provenance(calfarmVersion: "1.2.3", request: "r1", configuration: "a: 1\n")
        var constants = DarkConstants(cells: 2, collection: ProductCollection(
            runNumbers: ["r0819", "r0820", "r0821"], creationDate: "2026-11-24T00:00:00Z", provenance: provenance,
            inputFiles: ["a.h5", "b.h5"]))
        constants.offset[5] = 123; constants.stddev[7] = .pi; constants.threshold[9] = 4500; constants.frameCount[3] = 9
        let path = directory.file("dark.h5")
        try constants.write(to: path)
        let back = try DarkConstants.read(from: path)
        #expect(back == constants)
        #expect(try datasetShapeOf(path, "threshold") == [2, 2, 64, 64])

        // Same names, but offset as float64: rejected with file and dataset named.
        let wrong = directory.file("wrong.h5")
        let file = try File.create(wrong)
        try file.root.write("offset", [Double](repeating: 0, count: 3 * 2 * 4096), shape: [3, 2, 64, 64])
        try constants.collection.write(into: file.root)
        try file.close()
        do {
            _ = try DarkConstants.read(from: wrong)
            Issue.record("expected a type error")
        } catch let error as HDF5Error {
            #expect(error.description.contains(wrong) && error.description.contains("offset"))
        }
    }

    func datasetShapeOf(_ path: String, _ name: String) throws -> [Int] {
        let file = try File.open(path)
        defer { try? file.close() }
        return try file.root.dataset(name).shape
    }
}
