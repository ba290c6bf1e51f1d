import AGIPD
import Calibration
import FarmContract
import Foundation
import HDF5

/// Peak memory of one process job (one ASIC, as with the default `process.n_jobs: 16`) for a
/// growing number of trains. Each job runs in a fresh child process (this executable re-run with
/// the hidden `--memory-probe` mode) so that peaks do not accumulate; the child prints its
/// `ru_maxrss`.
///
/// The inputs are gathered files written directly (not simulated and gathered): only the
/// probed ASIC's rows are written, the other 15 ASICs stay holes in sparse files. The job reads
/// exactly the bytes it would read from a complete file, and writing 16× less keeps the
/// preparation within seconds.
enum CalibrationMemoryProbe {
    static let flag = "--memory-probe"
    static let asic = 1

    struct Row {
        var trains: Int
        var inputBytes: Int
        /// ru_maxrss.
        var peakBytes: Int
        /// VmHWM of /proc/self/status (the same peak, from the memory map alone; a cross-check).
        var highWaterBytes: Int
        var seconds: Double
    }

    // MARK: Parent

    /// Prepares the inputs for each trains count, runs one child per count, and also a child that
    /// runs no job (the executable's own baseline).
    static func measure(cells: Int, trainsList: [Int], channel: Int, runs: [Int],
                        root: String) throws -> (baseline: Int, rows: [Row]) {
        let baseline = try runChild(["--baseline"]).peakBytes
        var rows: [Row] = []
        for trains in trainsList {
            let dir = "\(root)/memory-t\(trains)"
            try writeInputs(outputDir: dir, cells: cells, trains: trains, channel: channel, runs: runs)
            var row = try runChild(["--output-dir", dir, "--runs", runs.map(String.init).joined(separator: ","),
                                    "--channel", String(channel)])
            row.trains = trains
            rows.append(row)
            try? FileManager.default.removeItem(atPath: dir)
        }
        return (baseline, rows)
    }

    private static func runChild(_ arguments: [String]) throws -> Row {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        // Through a shell that forks: a child spawned directly (vfork + exec) inherits this
        // process's peak in its ru_maxrss (Linux keeps the old mm's high-water mark at exec).
        let (status, output) = try CalibrationTiming.runProcess(
            "/bin/sh", ["-c", "\"$@\" & wait $!", "sh", executable, "calibration", flag] + arguments)
        let command = "calfarm-bench calibration \(flag) \(arguments.joined(separator: " "))"
        guard status == 0 else { throw CalibrationBenchError.commandFailed(command: command, status: status, output: output) }
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("peak_bytes=") }) else {
            throw CalibrationBenchError.badOutput(command: command, output: output)
        }
        var fields: [String: Double] = [:]
        for pair in line.split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let number = Double(parts[1]) { fields[String(parts[0])] = number }
        }
        guard let peak = fields["peak_bytes"] else { throw CalibrationBenchError.badOutput(command: command, output: output) }
        return Row(trains: 0, inputBytes: Int(fields["input_bytes"] ?? 0), peakBytes: Int(peak),
                   highWaterBytes: Int(fields["vmhwm_bytes"] ?? 0), seconds: fields["seconds"] ?? 0)
    }

    /// A preprocess result and one gathered file per run, every frame present, ASIC `asic` written.
    static func writeInputs(outputDir: String, cells: Int, trains: Int, channel: Int, runs: [Int]) throws {
        let paths = ProductPaths(inputDir: "", outputDir: outputDir, measurement: .dark)
        let firstTrainId: UInt64 = 10_000
        let frame = ModuleGeometry.asicPixels
        let slotValues = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: cells * frame)
        defer { slotValues.deallocate() }
        for (stage, run) in runs.enumerated() {
            let name = ProductPaths.rawFileName(run: run, channel: channel, sequence: 0)
            let ids = (0..<trains).map { firstTrainId + UInt64($0) }
            let sequence = PreprocessResult.Sequence(sequence: 0, file: name, indexOffset: 0, trainIds: ids,
                                                     slots: Array(0..<trains), firstFrames: (0..<trains).map { $0 * cells },
                                                     counts: Array(repeating: cells, count: trains))
            let result = PreprocessResult(software: CalFarmVersion.current, run: run, layout: .y2018,
                                          detectorString: CalibrationDataset.detectorString, interleaved: false,
                                          cells: cells, slotCount: trains, firstTrainId: firstTrainId,
                                          channels: [.init(channel: channel, sequences: [sequence])],
                                          missingChannels: [], warnings: [])
            try result.write(to: paths.preprocessResult(run: run))

            let path = paths.gathered(run: run, channel: channel, sequence: 0)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let header = GatheredSequenceHeader(
                software: CalFarmVersion.current, run: run, channel: channel, sequence: 0, cells: cells,
                slotStart: 0, slotEnd: trains, firstTrainId: firstTrainId,
                detectorString: CalibrationDataset.detectorString, layout: XFELLayoutVersion.y2018.rawValue, sourceFile: name)
            try GatheredSequenceWriter(path: path, header: header).close()
            let file = try File.open(path, mode: .readWrite)
            let root = file.root
            try root.dataset(GatheredSequenceHeader.presentName).write(Array(repeating: UInt8(1), count: trains * cells))
            try root.dataset(GatheredSequenceHeader.trainIdName).write(ids)
            for datasetName in [GatheredSequenceHeader.analogName, GatheredSequenceHeader.digitalName] {
                let dataset = try root.dataset(datasetName)
                let level = datasetName == GatheredSequenceHeader.analogName ? 5000 + 1000 * stage : 4000 + 2000 * stage
                for slot in 0..<trains {
                    for i in 0..<slotValues.count { slotValues[i] = UInt16(level + (i &* 7 &+ slot &* 13) & 63) }
                    try dataset.write(from: UnsafeBufferPointer(slotValues),
                                      selection: Hyperslab(start: [asic - 1, slot, 0, 0, 0],
                                                           count: [1, 1, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize]))
                }
            }
            try file.close()
        }
    }

    // MARK: Child

    /// The child: runs one process job (or none with `--baseline`) and prints its peak memory.
    static func runChild(_ arguments: ArraySlice<String>) throws {
        var outputDir: String?
        var runs: [Int] = []
        var channel = 0
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--baseline": break
            case "--output-dir": outputDir = rest.popFirst()
            case "--runs": runs = (rest.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--channel": channel = Int(rest.popFirst() ?? "") ?? 0
            default: throw CalibrationBenchError.usage("\(flag): unknown option \(argument)")
            }
        }
        var seconds = 0.0
        var inputBytes = 0.0
        if let outputDir {
            let job = DarkProcess(outputDir: outputDir, runs: runs, channel: channel, asics: [asic],
                                  provenance: CalibrationDataset.provenance)
            var report = StepReport()
            seconds = try CalibrationTiming.seconds { report = try job.run() }
            inputBytes = report.metrics["bytesRead"] ?? 0
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let highWater = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        // Linux reports ru_maxrss and VmHWM in KiB.
        print("peak_bytes=\(usage.ru_maxrss * 1024) vmhwm_bytes=\(highWater * 1024) input_bytes=\(Int(inputBytes)) seconds=\(seconds)")
    }
}
