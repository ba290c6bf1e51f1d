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

    @Test("spec files round-trip nasty strings, per-task parameters, nil sequences and empty arrays")
    func specFileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let nasty = "quote \" backslash \\ newline \n tab \t cr \r nul \u{0} bell \u{7} ünïcødé 日本 🧪 \u{2028} /slash"
        let configuration = "general:\n  detectorString: \"MID\"\n  note: '\(nasty)'\n"
        let base = JobSpec(request: "r\(nasty)", job: "j", step: .process, measurement: .dark, facility: .xfel,
                           inputDir: "/in/\(nasty)", outputDir: "/out dir/é", runs: [], channels: [],
                           detectorString: "MID_DET_AGIPD1M-1", resultPath: "/out dir/é/results/x.json",
                           parameters: ["shared": nasty, "": "empty key", "differs": "0"], configuration: configuration)
        var specs: [JobSpec] = []
        for i in 0..<6 {
            var spec = base
            spec.job = "process.ch\(i).\(nasty)"
            spec.runs = i == 0 ? [] : Array(0..<i).map { $0 * 1000 - 7 }
            spec.channels = i % 2 == 0 ? [] : [i, Int.max, Int.min]
            spec.sequence = i % 3 == 0 ? nil : i * 11
            spec.asics = i == 4 ? [] : [1, 16]
            spec.resultPath = "/out dir/é/results/\(spec.job).json"
            spec.parameters["differs"] = "\(i) \(nasty)"
            if i == 2 { spec.parameters["only2"] = "\"\\\n" }
            specs.append(spec)
        }
        specs[5].resultPath = "elsewhere.json" // no shared result directory any more
        specs[3].configuration = "other: \(nasty)"
        specs[4].step = .join
        specs[4].outputDir = "/\(nasty)"
        let path = dir.file("nasty.jsonl")
        try SpecFile.write(specs, to: path)
        #expect(try SpecFile.readAll(at: path) == specs)
        for (i, spec) in specs.enumerated() {
            #expect(try SpecFile.read(at: path, index: i) == spec, "task \(i + 1)")
        }
        // One header plus one line per task, each a JSON object (raw newlines escaped).
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == specs.count + 2 && lines.last == "")
        for line in lines.dropLast() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            #expect(object is [String: Any])
        }
    }

    @Test("spec files write the shared fields once and a short line per task")
    func specFileSharesHeader() throws {
        let dir = try TemporaryDirectory()
        let configuration = String(repeating: "key: value\n", count: 100)
        let specs = (0..<100).map { (i: Int) in
            JobSpec(request: "r1", job: "gather.r0001.ch00.s\(i)", step: .gather, measurement: .dark, facility: .xfel,
                    inputDir: "/in", outputDir: "/out", runs: [1], channels: [0], sequence: i,
                    detectorString: "MID_DET_AGIPD1M-1", resultPath: "/out/results/gather.r0001.ch00.s\(i).json",
                    parameters: ["cells": "352"], configuration: configuration)
        }
        let path = dir.file("gather.jsonl")
        try SpecFile.write(specs, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 101)
        #expect(lines[0].contains("\"formatVersion\":2") && lines[0].contains("\"resultDirectory\":\"/out/results/\""))
        #expect(lines[1] == #"{"job":"gather.r0001.ch00.s0","runs":[1],"channels":[0],"sequence":0,"result":"gather.r0001.ch00.s0.json"}"#)
        #expect(try SpecFile.read(at: path, index: 99) == specs[99])
        #expect(try SpecFile.readAll(at: path) == specs)
    }

    @Test("an empty spec list round-trips; out-of-range task indices name the file")
    func specFileEmptyAndRange() throws {
        let dir = try TemporaryDirectory()
        let empty = dir.file("empty.jsonl")
        try SpecFile.write([], to: empty)
        #expect(try SpecFile.readAll(at: empty) == [])
        #expect(throws: ContractError.malformed(path: empty, reason: "has 0 specs; task index 0 is out of range")) {
            try SpecFile.read(at: empty, index: 0)
        }
        let spec = JobSpec(request: "r", job: "merge", step: .merge, measurement: .xray, facility: .cfel, inputDir: "i",
                           outputDir: "o", runs: [2], channels: [], detectorString: "d", resultPath: "result.json")
        let one = dir.file("one.jsonl")
        try SpecFile.write([spec], to: one)
        #expect(try SpecFile.read(at: one, index: 0) == spec)
        #expect(throws: ContractError.malformed(path: one, reason: "has 1 specs; task index -1 is out of range")) {
            try SpecFile.read(at: one, index: -1)
        }
    }

    @Test("spec files with a corrupt header, missing lines or another version are refused, naming the file")
    func specFileRejectsBadFiles() throws {
        let dir = try TemporaryDirectory()
        let specs = (0..<3).map { i in
            JobSpec(request: "r", job: "gather.\(i)", step: .gather, measurement: .dark, facility: .xfel, inputDir: "/i",
                    outputDir: "/o", runs: [1], channels: [i], sequence: 0, detectorString: "d", resultPath: "/o/\(i).json")
        }
        let good = dir.file("good.jsonl")
        try SpecFile.write(specs, to: good)
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)

        func expectError(_ name: String, _ content: String, _ check: (ContractError) -> Bool) throws {
            let path = dir.file(name)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            for read in [{ _ = try SpecFile.read(at: path, index: 1) }, { _ = try SpecFile.readAll(at: path) }] {
                do {
                    try read()
                    Issue.record("\(name) was accepted")
                } catch let error as ContractError {
                    #expect(check(error), "\(name): \(error)")
                    #expect(error.description.contains(path))
                }
            }
        }
        try expectError("corrupt.jsonl", "{\"formatVersion\":2,\"count\":\n" + lines[1...].joined(separator: "\n")) {
            if case .malformed(_, let reason) = $0 { reason.hasPrefix("line 1 (header)") } else { false }
        }
        try expectError("noversion.jsonl", "{\"count\":3}\n" + lines[1...].joined(separator: "\n") + "\n") {
            if case .malformed(_, let reason) = $0 { reason.contains("no formatVersion") } else { false }
        }
        let future = text.replacingOccurrences(of: "\"formatVersion\":2", with: "\"formatVersion\":3")
        try expectError("future.jsonl", future) {
            $0 == .unsupportedVersion(path: dir.file("future.jsonl"), found: 3, supported: 2)
        }
        // A file of the first layout (a whole JobSpec on every line) is another version.
        let encoder = JSONEncoder()
        let v1 = try specs.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        try expectError("v1.jsonl", v1) { $0 == .unsupportedVersion(path: dir.file("v1.jsonl"), found: 1, supported: 2) }
        try expectError("truncated.jsonl", lines[0...1].joined(separator: "\n") + "\n") {
            if case .malformed(_, let reason) = $0 { reason.contains("ends after 1 of 3 task lines") } else { false }
        }
        try expectError("badline.jsonl", [lines[0], lines[1], "{\"job\":", lines[3]].joined(separator: "\n")) {
            if case .malformed(_, let reason) = $0 { reason.hasPrefix("line 3:") } else { false }
        }
        try expectError("empty.jsonl", "") {
            if case .malformed(_, let reason) = $0 { reason == "no header line" } else { false }
        }
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
