import CalFarmTestSupport
import FarmContract
import Foundation
import Testing

@Suite("controller–worker contract")
struct ContractTests {
    @Test("XXH64 matches the reference implementation's digests")
    func xxh64Vectors() {
        // Reference digests from the `xxhash` Python package (seed 0).
        let long = (0..<5).flatMap { _ in (0..<256).map { UInt8($0) } }
        #expect(XXH64.digest([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.digest(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.digest(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.digest(Array("0123456789abcdef0123456789abcdef!".utf8)) == 0x8AFF_F4DA_AC4E_677E)
        #expect(XXH64.digest(long) == 0xAFC1_84AD_7938_A354)
    }

    @Test("XXH64 gives the same digest however the input is split")
    func xxh64Streaming() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = XXH64.digest(bytes)
        for split in [1, 7, 31, 32, 33, 500] {
            var hasher = XXH64()
            var i = 0
            while i < bytes.count {
                let end = min(i + split, bytes.count)
                bytes[i..<end].withUnsafeBytes { hasher.update($0) }
                i = end
            }
            #expect(hasher.finalize() == whole, "split \(split)")
        }
    }

    @Test("file checksum records size and digest; a missing file names the path")
    func fileChecksum() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("product.h5")
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let output = try FileChecksum.output(for: path)
        #expect(output.bytes == 3)
        #expect(output.checksum == "xxh64:44bc2cf5ad770999")
        #expect(throws: ContractError.self) { try FileChecksum.output(for: dir.file("absent.h5")) }
    }

    @Test("atomic writes leave no temporary file and replace the old content")
    func atomicWrite() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("sub/result.json")
        try AtomicFile.write(Data("one".utf8), to: path)
        try AtomicFile.write(Data("two".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("sub")) == ["result.json"])
    }

    @Test("spec files return the spec of each array task by line")
    func specFileLines() throws {
        let dir = try TemporaryDirectory()
        let specs = (0..<5).map { i in
            JobSpec(request: "r1", job: "gather.r0001.ch0\(i).s00000", step: .gather, measurement: .dark,
                    facility: .xfel, inputDir: "/in", outputDir: "/out", runs: [1], channels: [i], sequence: 0,
                    detectorString: "MID_DET_AGIPD1M-1", resultPath: "/out/results/\(i).json")
        }
        let path = dir.file("gather.jsonl")
        try SpecFile.write(specs, to: path)
        #expect(try SpecFile.read(at: path, index: 3) == specs[3])
        #expect(try SpecFile.readAll(at: path) == specs)
        #expect(throws: ContractError.self) { try SpecFile.read(at: path, index: 5) }
    }

    @Test("raw file names parse back into run, channel and sequence")
    func rawNames() {
        let name = ProductPaths.rawFileName(run: 819, channel: 3, sequence: 12)
        #expect(name == "RAW-R0819-AGIPD03-S00012.h5")
        let parsed = ProductPaths.parseRawFileName(name)
        #expect(parsed?.run == 819 && parsed?.channel == 3 && parsed?.sequence == 12)
        #expect(ProductPaths.parseRawFileName("RAW-R0819-AGIPD03-S00012.h5.tmp") == nil)
        #expect(ProductPaths.parseRawFileName("RAW-R0819-DA01-S00000.h5") == nil)
    }
}
