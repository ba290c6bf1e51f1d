import Farm
import FarmContract
import Foundation

/// `calfarm-bench pipeline` (issue 15): the whole dark request a user waits for, against the
/// time to merely read its raw files (`cat`, warm) and a numpy script computing the same joined
/// constants from the raw files, all in one run on the same simulated data; medians of repeats,
/// the three alternating inside every repeat. For each CalFarm run the store says where the
/// time went: per step its wall window and the units' summed run time, the critical path, and
/// the controller's own share (wall minus first submission to last end).
enum PipelineBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = try PipelineOptions.parse(arguments)
        let bin = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let calfarm = bin + "/calfarm"
        guard FileManager.default.isExecutableFile(atPath: calfarm) else {
            throw CalibrationBenchError.missingFile(path: calfarm, hint: "swift build -c release (calfarm beside calfarm-bench)")
        }
        try FileManager.default.createDirectory(atPath: options.workDir, withIntermediateDirectories: true)
        print("calfarm-bench pipeline: \(ProcessInfo.processInfo.activeProcessorCount) cores, medians of \(options.repeats), work dir \(options.workDir)")
        for shape in options.shapes {
            try PipelineRun(shape: shape, options: options, calfarm: calfarm, executor: "local").measure()
        }
        if options.slurm {
            try PipelineRun(shape: .slurm, options: options, calfarm: calfarm, executor: "slurm").measure()
        }
    }
}

/// One shape measured: its data, repeats and table.
struct PipelineRun {
    let shape: PipelineShape
    let options: PipelineOptions
    let calfarm: String
    let executor: String

    var dir: String { options.workDir + "/" + shape.name }
    var inputDir: String { dir + "/in" }
    var outputDir: String { dir + "/out" }
    var numpyDir: String { dir + "/numpy" }
    var database: String { dir + "/calfarm.sqlite" }

    func measure() throws {
        try simulate()
        let raw = try rawFiles()
        let rawBytes = raw.map(CalibrationTiming.fileSize).reduce(0, +)
        print("\n## \(shape.name): \(shape.channels.count) channels × \(shape.runs.count) runs × \(shape.sequences) sequences × "
              + "\(shape.trains) trains × \(shape.cells) cells, \(rawBytes >> 20) MiB raw, executor \(executor)")
        setenv("CALFARM_DB", database, 1)
        setenv("CALFARM_HOME", dir + "/home", 1)
        var cat: [Double] = [], numpy: [Double] = [], whole: [Double] = []
        var phases: [PipelinePhases] = []
        let useNumpy = options.numpy && executor == "local"
        for _ in 0..<options.repeats {
            if useNumpy {
                try clean([numpyDir])
                _ = try CalibrationTiming.cat(raw)
                numpy.append(try CalibrationTiming.seconds { _ = try runChecked(options.python, numpyArguments(compare: nil)) })
                try clean([numpyDir])   // the large dark's numpy files are 18.5 GB: not beside CalFarm's
            }
            try clean([outputDir, database, database + "-wal", database + "-shm"])
            _ = try CalibrationTiming.cat(raw)
            whole.append(try CalibrationTiming.seconds { _ = try runChecked(calfarm, submitArguments()) })
            phases.append(try PipelinePhases(database: database, wall: whole.last!))
            _ = try CalibrationTiming.cat(raw)
            cat.append(try CalibrationTiming.cat(raw))
        }
        let median = CalibrationTiming.median
        func row(_ name: String, _ values: [Double], _ note: String = "") {
            let repeats = values.map { String(format: "%.3f", $0) }.joined(separator: " ")
            print(name.padding(toLength: max(name.count, 66), withPad: " ", startingAt: 0)
                  + String(format: " %8.3f s   ", median(values)) + "[\(repeats)]  " + note)
        }
        row("cat of the raw files (warm)", cat)
        if useNumpy { row("numpy + h5py from the raw files (\(options.numpyScript))", numpy) }
        row("calfarm submit --executor \(executor) --wait", whole, useNumpy
            ? String(format: "numpy / calfarm %.2f, calfarm / cat %.1f", median(numpy) / median(whole), median(whole) / median(cat))
            : String(format: "calfarm / cat %.1f", median(whole) / median(cat)))
        PipelinePhases.printMedians(phases)
        if useNumpy, let joined = try joinedFile() {
            let output = try runChecked(options.python, numpyArguments(compare: joined))
            print("numpy against calfarm's joined constants: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    private func simulate() throws {
        let marker = dir + "/in.complete"
        if (try? String(contentsOfFile: marker, encoding: .utf8)) == shape.signature { return }
        try clean([dir])
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try runChecked(calfarm, ["simulate", "--type", "dark", "--output-dir", inputDir,
                                     "--runs"] + shape.runs.map(String.init) + [
                                     "--channels", shape.channels.map(String.init).joined(separator: ","),
                                     "--trains", String(shape.trains), "--cells", String(shape.cells),
                                     "--sequences", String(shape.sequences), "--detector-string", shape.detector])
        try shape.signature.write(toFile: marker, atomically: true, encoding: .utf8)
    }

    private func rawFiles() throws -> [String] {
        try shape.runs.flatMap { run -> [String] in
            let runDir = inputDir + "/raw/" + String(format: "r%04d", run)
            return try FileManager.default.contentsOfDirectory(atPath: runDir).filter { $0.hasSuffix(".h5") }.sorted().map { runDir + "/" + $0 }
        }
    }

    private func submitArguments() -> [String] {
        ["submit", "--type", "dark", "--input-dir", inputDir, "--output-dir", outputDir,
         "--runs"] + shape.runs.map(String.init) + ["--channels", shape.channels.map(String.init).joined(separator: ","),
         "--executor", executor, "--wait"]
    }

    private func numpyArguments(compare: String?) -> [String] {
        [options.numpyScript, inputDir, shape.detector, numpyDir, "--runs"] + shape.runs.map(String.init)
            + ["--channels"] + shape.channels.map(String.init) + ["--cells", String(shape.cells)]
            + (compare.map { ["--compare", $0] } ?? [])
    }

    private func joinedFile() throws -> String? {
        let runs = shape.runs.map { String(format: "r%04d", $0) }.joined(separator: "-")
        let path = "\(outputDir)/dark/\(runs)/dark_joined_constants_agipd.h5"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Removes earlier outputs and writes back what is dirty, so neither lands in the next timing.
    private func clean(_ paths: [String]) throws {
        for path in paths where FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        sync()
    }

    private func runChecked(_ executable: String, _ arguments: [String]) throws -> String {
        let (status, output) = try CalibrationTiming.runProcess(executable, arguments)
        guard status == 0 else { throw CalibrationBenchError.commandFailed(command: "\(executable) \(arguments.joined(separator: " "))", status: status, output: output) }
        return output
    }
}
