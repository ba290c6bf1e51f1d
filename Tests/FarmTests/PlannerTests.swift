import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Planner")
struct PlannerTests {
    @Test("a 16-channel XFEL dark with 3 runs × 2 sequences plans 3 preprocess, 96 gather, 16×n_jobs process, 2 joins")
    func fullDarkShape() throws {
        let dir = try TemporaryDirectory("plan-dark")
        let (input, output) = try PlannerFixture.rawTree(in: dir)
        for nJobs in [1, 4, 16] {
            let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output,
                                                                        overrides: ["process.n_jobs=\(nJobs)"]))
            #expect(graph.countsByStep == [.preprocess: 3, .gather: 96, .process: 16 * nJobs, .join: 2])
            #expect(graph.warnings.isEmpty)
            // Topological: every dependency precedes its dependent.
            for (i, unit) in graph.units.enumerated() {
                for dependency in unit.dependencies { #expect(graph.index(of: dependency.unit)! < i) }
            }
        }
        let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, overrides: ["process.n_jobs=16"]))
        let gather = try #require(graph["gather.r0820.ch03.s00001"])
        #expect(gather.runs == [820] && gather.channel == 3 && gather.sequence == 1)
        #expect(gather.dependencies == [JobDependency(unit: "preprocess.r0820", kind: .success)])
        #expect(gather.resources.timeLimit == "00:45:00")
        let join = try #require(graph["join"])
        #expect(join.dependencies.count == 256)
        #expect(join.dependencies.allSatisfy { $0.kind == .completion && $0.unit.hasPrefix("process.") })
        #expect(join.asics == Array(1...16) && join.runs == [819, 820, 821])
        // The XFEL-orientation file has its own unit in the same array, waiting for the same units.
        let joinXFEL = try #require(graph["join.xfel"])
        #expect(joinXFEL.dependencies == join.dependencies && joinXFEL.arrayGroup == join.arrayGroup)
        let factory = JobSpecFactory(graph: graph, requestID: "req")
        #expect(factory.makeSpec(for: join, resultPath: "a.json").parameters[JobSpec.joinedFileParameter] == "agipd")
        #expect(factory.makeSpec(for: joinXFEL, resultPath: "x.json").parameters[JobSpec.joinedFileParameter] == "xfel")
        // A request stored before the split (one join unit) keeps one join writing both files when resumed.
        let single = try JobGraph(request: graph.request, units: graph.units.filter { $0.id != "join.xfel" })
        let old = JobSpecFactory(graph: single, requestID: "req").makeSpec(for: join, resultPath: "a.json")
        #expect(old.parameters[JobSpec.joinedFileParameter] == nil)
        #expect(graph["preprocess.r0819"]?.dependencies == [])
    }

    @Test("process.n_jobs auto: one process unit per unit_mib of a channel's raw files over its runs, 1 to 16")
    func chunksFollowTheData() throws {
        let dir = try TemporaryDirectory("plan-auto-chunks")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [3, 4, 5])
        let paths = ProductPaths(inputDir: input, outputDir: output, measurement: .dark)
        // Sparse files: the size is what the planner reads. Channel 3: 6 × 700 MiB = 4200 MiB; channel 5: 6 × 8 GiB.
        for run in [819, 820, 821] {
            for sequence in 0..<2 {
                #expect(truncate(paths.rawFile(run: run, channel: 3, sequence: sequence), 700 << 20) == 0)
                #expect(truncate(paths.rawFile(run: run, channel: 5, sequence: sequence), 8 << 30) == 0)
            }
        }
        let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [3, 4, 5]))
        func chunks(_ channel: Int) -> [[Int]] { graph.units.filter { $0.step == .process && $0.channel == channel }.map(\.asics) }
        #expect(chunks(3) == [Array(1...6), Array(7...11), Array(12...16)])   // ⌈4200 / 2048⌉ = 3
        #expect(chunks(4) == [Array(1...16)])                                  // empty files: one unit
        #expect(chunks(5).count == 16)                                         // 48 GiB: one per ASIC
        let smaller = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [3],
                                                                      overrides: ["process.unit_mib=1000"]))
        #expect(smaller.units.filter { $0.step == .process }.count == 5)      // ⌈4200 / 1000⌉
        let fixed = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [3, 4],
                                                                    overrides: ["process.n_jobs=2"]))
        #expect(fixed.units.filter { $0.step == .process }.count == 4)
    }

    @Test("channel 3 process waits only for channel 3 gathers")
    func channelIsolation() throws {
        let dir = try TemporaryDirectory("plan-isolation")
        let (input, output) = try PlannerFixture.rawTree(in: dir)
        let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, overrides: ["process.n_jobs=4"]))
        let process = try #require(graph["process.ch03.a01-04"])
        let expected = Set([819, 820, 821].flatMap { run in (0..<2).map { "gather.r0\(run).ch03.s0000\($0)" } })
        #expect(Set(process.dependencies.map(\.unit)) == expected)
        #expect(process.dependencies.allSatisfy { $0.kind == .success })
        // And nothing of channel 4 is upstream of channel 3's process.
        let upstream = graph.upstream(of: ["process.ch03.a01-04"])
        #expect(!upstream.contains { $0.contains(".ch04") })
        #expect(upstream == expected.union(["preprocess.r0819", "preprocess.r0820", "preprocess.r0821"]))
    }

    @Test("planning twice gives identical ids in the same order")
    func stableIDs() throws {
        let dir = try TemporaryDirectory("plan-stable")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [0, 3, 15])
        let request = try PlannerFixture.darkRequest(input: input, output: output, channels: [15, 3, 0],
                                                     overrides: ["process.n_jobs=3"])
        let first = try Planner.plan(request).units, second = try Planner.plan(request).units
        #expect(first == second)
        #expect(first.map(\.id).prefix(4) == ["preprocess.r0819", "preprocess.r0820", "preprocess.r0821",
                                                "gather.r0819.ch00.s00000"])
        #expect(first.filter { $0.step == .process && $0.channel == 15 }.map(\.id) ==
                ["process.ch15.a01-06", "process.ch15.a07-11", "process.ch15.a12-16"])
    }

    @Test("downstream of a gather is its channel's process units and the join, nothing else")
    func downstreamClosure() throws {
        let dir = try TemporaryDirectory("plan-downstream")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [2, 3])
        let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [2, 3],
                                                                    overrides: ["process.n_jobs=2"]))
        #expect(graph.downstream(of: ["gather.r0820.ch03.s00000"]) == ["process.ch03.a01-08", "process.ch03.a09-16", "join.xfel", "join"])
        // A preprocess reaches every gather of its run (both channels), all process units and join.
        let fromPreprocess = graph.downstream(of: ["preprocess.r0819"])
        #expect(fromPreprocess.count == 4 + 4 + 2)
        #expect(fromPreprocess.contains("gather.r0819.ch02.s00001"))
        #expect(!fromPreprocess.contains("gather.r0820.ch02.s00001"))
        #expect(graph.downstream(of: ["join"]).isEmpty)
        #expect(graph.downstream(of: ["no-such-unit"]).isEmpty)
        // Seeds are included only when downstream of another seed.
        #expect(graph.downstream(of: ["preprocess.r0819", "process.ch02.a01-08"]).contains("process.ch02.a01-08"))
        #expect(!graph.downstream(of: ["process.ch02.a01-08"]).contains("process.ch02.a01-08"))
    }

    @Test("single-step run types plan only that step, without dependencies")
    func singleStepRunTypes() throws {
        let dir = try TemporaryDirectory("plan-steps")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [0, 1])
        func plan(_ runType: RunType) throws -> JobGraph {
            try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, runType: runType, channels: [0, 1]))
        }
        #expect(try plan(.preprocess).countsByStep == [.preprocess: 3])
        let gather = try plan(.gather)
        #expect(gather.countsByStep == [.gather: 12])
        #expect(gather.units.allSatisfy { $0.dependencies.isEmpty })
        let process = try plan(.process)
        #expect(process.countsByStep == [.process: 32])
        #expect(process.units.allSatisfy { $0.dependencies.isEmpty })
        #expect(try plan(.join).units.map(\.id) == ["join", "join.xfel"])
        #expect(try plan(.join).units[0].dependencies.isEmpty)
        #expect(throws: PlanError.self) { try plan(.merge) }
    }

    @Test("CFEL drscs: runs found per current by name, process per (current, chunk) after that current's gathers, one merge per chunk after every current's unit of it, join after the merges")
    func drscsShape() throws {
        let dir = try TemporaryDirectory("plan-drscs")
        // Names only: planning without a worker does not open the parts. Each current its own numbers.
        for (current, first) in [("itestc20", 19), ("itestc80", 31)] {
            let raw = dir.file("in/temperature_m20C/drscs/\(current)")
            try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
            for (k, name) in ["col15", "col26", "col37", "col48"].enumerated() {
                _ = FileManager.default.createFile(atPath: "\(raw)/M304_m2_drscs_\(current)_\(name)_000\(first + k)_part00000.nxs", contents: nil)
            }
        }
        let configuration = try Configuration.defaults.applying(overrides: ["drscs.currents=[itestc20, itestc80]", "process.n_jobs=2"])
        let request = PlanRequest(facility: .cfel, measurement: .drscs, inputDir: dir.file("in"), outputDir: dir.file("out"),
                                  module: "M304", temperature: "temperature_m20C", configuration: configuration)
        let graph = try Planner.plan(request)
        #expect(graph.request.runs == [19, 20, 21, 22, 31, 32, 33, 34])
        #expect(graph.countsByStep == [.gather: 8, .process: 4, .merge: 2, .join: 1])
        #expect(graph["process.itestc80.a01-08"]?.dependencies.map(\.unit) == (31...34).map { "gather.r00\($0).s00000" })
        #expect(graph["process.itestc80.a01-08"]?.runs == [31, 32, 33, 34])
        #expect(graph["merge.a09-16"]?.dependencies == [JobDependency(unit: "process.itestc20.a09-16", kind: .completion),
                                                        JobDependency(unit: "process.itestc80.a09-16", kind: .completion)])
        #expect(graph["join"]?.dependencies.map(\.unit) == ["merge.a01-08", "merge.a09-16"])
        #expect(graph.arrayGroups().map(\.name) == ["gather", "process.itestc20", "process.itestc80", "merge", "join"])
        // Each gather and process unit carries its current (its directory and products).
        let specs = JobSpecFactory(graph: graph, requestID: "r")
        #expect(specs.makeSpec(for: graph["gather.r0032.s00000"]!, resultPath: "x").parameters["current"] == "itestc80")
        let process = specs.makeSpec(for: graph["process.itestc20.a01-08"]!, resultPath: "x")
        #expect(process.parameters["current"] == "itestc20" && process.parameters["gathered_sequences"] == "19:0 20:0 21:0 22:0")
        #expect(process.productPaths.processed(runs: [19, 20, 21, 22], unit: .module("M304"), asic: 1)
                == dir.file("out") + "/M304/temperature_m20C/drscs/itestc20/r0019-r0020-r0021-r0022/process/M304_drscs_itestc20_asic01_processed.h5")
        #expect(specs.makeSpec(for: graph["merge.a01-08"]!, resultPath: "x").parameters["current"] == nil)

        // A run number under two currents is refused, naming both.
        _ = FileManager.default.createFile(atPath: dir.file("in/temperature_m20C/drscs/itestc80/M304_m2_drscs_itestc80_col15_00019_part00000.nxs"), contents: nil)
        try FileManager.default.removeItem(atPath: dir.file("in/temperature_m20C/drscs/itestc80/M304_m2_drscs_itestc80_col15_00031_part00000.nxs"))
        #expect { try Planner.plan(request) } throws: { error in
            "\(error)".contains("run 19 appears under current itestc20 and itestc80")
        }
    }

    @Test("CFEL plans gather per (run, part), process per chunk and one join, without preprocess; runs are found by name")
    func cfelShape() throws {
        let dir = try TemporaryDirectory("plan-cfel")
        let raw = dir.file("in/temperature_m20C/dark")
        try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
        // Names only: planning without a worker does not open the parts.
        for (run, name) in [(7, "hg"), (8, "mg"), (9, "lg")] {
            for part in 0..<2 {
                _ = FileManager.default.createFile(atPath: "\(raw)/M304_m2_dark_tint150ns_\(name)_0000\(run)_part0000\(part).nxs", contents: nil)
            }
        }
        _ = FileManager.default.createFile(atPath: "\(raw)/M305_m1_dark_tint150ns_hg_00001_part00000.nxs", contents: nil)
        let configuration = try Configuration.defaults.applying(overrides: ["process.n_jobs=2"])
        let request = PlanRequest(facility: .cfel, measurement: .dark, inputDir: dir.file("in"), outputDir: dir.file("out"),
                                  module: "M304", temperature: "temperature_m20C", configuration: configuration)
        let graph = try Planner.plan(request)
        #expect(graph.request.runs == [7, 8, 9])
        #expect(graph.units.map(\.id) == ["gather.r0007.s00000", "gather.r0007.s00001", "gather.r0008.s00000", "gather.r0008.s00001",
                                          "gather.r0009.s00000", "gather.r0009.s00001", "process.a01-08", "process.a09-16", "join"])
        #expect(graph["process.a01-08"]?.dependencies.count == 6)
        #expect(graph["join"]?.dependencies.map(\.kind) == [.completion, .completion])
        #expect(graph.arrayGroups().map(\.name) == ["gather", "process", "join"])
        // The process units name the parts the gathers write; the spec carries the cells.
        let specs = JobSpecFactory(graph: graph, requestID: "r")
        let spec = specs.makeSpec(for: graph["process.a01-08"]!, resultPath: "x")
        #expect(spec.parameters[JobSpec.gatheredInputsParameter] == "7:0,1 8:0,1 9:0,1")
        #expect(spec.parameters[JobSpec.cellsParameter] == "352" && spec.parameters[JobSpec.moduleParameter] == "M304")
        #expect(spec.productPaths.processed(runs: [7, 8, 9], unit: .module("M304"), asic: 1)
            == dir.file("out/M304/temperature_m20C/dark/tint150ns/r0007-r0008-r0009/process/M304_dark_tint150ns_asic01_processed.h5"))
        var preprocess = request
        preprocess.runType = .preprocess
        #expect(throws: PlanError.self) { try Planner.plan(preprocess) }
        var wrongTemperature = request
        wrongTemperature.temperature = "temperature_p40C"
        #expect { try Planner.plan(wrongTemperature) } throws: { "\($0)".contains("temperature_p40C/dark: does not exist") }
    }
}

@Suite("Planner: bad input is refused before anything happens")
struct PlannerBadInputTests {
    @Test("a missing input directory is named")
    func missingInputDirectory() throws {
        let dir = try TemporaryDirectory("plan-bad")
        let request = try PlannerFixture.darkRequest(input: dir.file("nowhere"), output: dir.file("out"))
        #expect(throws: PlanError.missingInputDirectory(path: dir.file("nowhere"))) { try Planner.plan(request) }
    }

    @Test("a missing run directory names the run and the path")
    func missingRunDirectory() throws {
        let dir = try TemporaryDirectory("plan-bad")
        let (input, output) = try PlannerFixture.rawTree(in: dir, runs: [819, 821], channels: [0])
        let request = try PlannerFixture.darkRequest(input: input, output: output, channels: [0])
        let path = input + "/raw/r0820"
        #expect(throws: PlanError.missingRunDirectory(run: 820, path: path)) { try Planner.plan(request) }
        #expect(PlanError.missingRunDirectory(run: 820, path: path).description.contains("run 820"))
    }

    @Test("the wrong number of runs is refused before the filesystem is looked at")
    func wrongRunCount() throws {
        let request = PlanRequest(measurement: .dark, inputDir: "does/not/exist", outputDir: "out", runs: [819, 820])
        #expect(throws: ConfigurationError.wrongRunCount(key: "--runs/general.runs", measurement: .dark, expected: 3, got: 2,
                                                         rule: "one per gain stage: high, medium, low")) {
            try Planner.plan(request)
        }
    }

    @Test("an unknown channel is named")
    func unknownChannel() throws {
        let dir = try TemporaryDirectory("plan-bad")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [0])
        let request = try PlannerFixture.darkRequest(input: input, output: output, channels: [0, 17])
        #expect(throws: ConfigurationError.outOfRange(key: "--channels/general.channels", what: "channel", value: 17,
                                                      allowed: 0...15)) { try Planner.plan(request) }
    }

    @Test("an unwritable output directory is refused")
    func unwritableOutput() throws {
        let dir = try TemporaryDirectory("plan-bad")
        let (input, _) = try PlannerFixture.rawTree(in: dir, channels: [0])
        // A path below a regular file can never be created (permission bits would not stop root).
        try "file".write(toFile: dir.file("plain"), atomically: true, encoding: .utf8)
        let underFile = try PlannerFixture.darkRequest(input: input, output: dir.file("plain/out"), channels: [0])
        #expect(throws: PlanError.outputNotWritable(path: dir.file("plain/out"), reason: "\(dir.file("plain")) is not a directory")) {
            try Planner.plan(underFile)
        }
        // /proc refuses new files even for root.
        let proc = try PlannerFixture.darkRequest(input: input, output: "/proc/calfarm-out", channels: [0])
        #expect(throws: PlanError.self) { try Planner.plan(proc) }
        // A not-yet-existing output below a writable directory is fine, and nothing is left behind.
        let fresh = try PlannerFixture.darkRequest(input: input, output: dir.file("new/deeper"), channels: [0])
        _ = try Planner.plan(fresh)
        #expect(!FileManager.default.fileExists(atPath: dir.file("new")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["in", "out", "plain"])
    }

    @Test("a channel without files in any run is a warning; one missing in only some runs is an error naming run and channel")
    func missingChannels() throws {
        let dir = try TemporaryDirectory("plan-channels")
        let (input, output) = try PlannerFixture.rawTree(in: dir, channels: [0, 1, 2],
                                                         missing: [819: [2], 820: [2], 821: [1, 2]])
        // Channel 1 lacks run 821 only: error.
        let partial = try PlannerFixture.darkRequest(input: input, output: output, channels: [0, 1, 2])
        #expect(throws: PlanError.channelMissingInRun(channel: 1, run: 821, path: input + "/raw/r0821")) {
            try Planner.plan(partial)
        }
        // Channel 2 has nothing anywhere: warning, no units, join still planned.
        let graph = try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [0, 2]))
        #expect(graph.warnings == [.channelWithoutData(channel: 2)])
        #expect(graph.channelsWithoutData == [2])
        #expect(!graph.units.contains { $0.channel == 2 })
        #expect(graph.countsByStep == [.preprocess: 3, .gather: 6, .process: 1, .join: 2])
        let spec = JobSpecFactory(graph: graph, requestID: "req").makeSpec(for: graph["join"]!, resultPath: "r.json")
        #expect(spec.channels == [0, 2])
        // No requested channel has data: error.
        #expect(throws: PlanError.noRawData(inputDir: input, runs: [819, 820, 821])) {
            try Planner.plan(try PlannerFixture.darkRequest(input: input, output: output, channels: [2]))
        }
    }
}
