import Calibration
import Foundation

/// `calfarm-bench calibration`: the worker's gather and dark-process throughput and the process
/// job's peak memory, each against a reference measured in the same run on the same data
/// (issue 4's benchmark; figures in docs/performance.md):
///
/// 1. process dark (all 16 ASICs of a channel, 3 runs) vs a numpy implementation of the same
///    math (benchmarks/dark_numpy.py; target ≥ 10× faster) and vs `cat` of its gathered input
///    files to /dev/null (target ≤ 2× the read time);
/// 2. gather of one raw sequence file vs `cat` of that file (target ≤ 2× the read time);
/// 3. peak RSS of a one-ASIC process job, 352 cells, growing trains (target: flat).
///
/// Reads are warm (one priming `cat` first); the reference and the measured step alternate
/// within each repeat so drift hits both; medians over the repeats.
enum CalibrationBenchmarks {
    static func run(_ arguments: ArraySlice<String>) throws {
        if arguments.first == CalibrationMemoryProbe.flag {
            try CalibrationMemoryProbe.runChild(arguments.dropFirst())
            return
        }
        let options = try CalibrationOptions.parse(arguments)
        var suite = Suite(options: options)
        try suite.run()
    }

    struct Suite {
        let options: CalibrationOptions
        var report = CalibrationReport()

        init(options: CalibrationOptions) { self.options = options }

        mutating func run() throws {
            let o = options
            if o.numpy, !FileManager.default.fileExists(atPath: o.numpyScript) {
                throw CalibrationBenchError.missingFile(path: o.numpyScript, hint: "run from the repository root, pass --numpy-script, or --no-numpy")
            }
            print("calfarm-bench calibration — \(CommandLine.arguments.joined(separator: " "))")
            print("machine: \(CalibrationReport.machine())")
            let fm = FileManager.default
            try fm.createDirectory(atPath: o.workDir, withIntermediateDirectories: true)
            defer { if !o.keep { try? fm.removeItem(atPath: o.workDir) } }
            let data = CalibrationDataset(root: o.workDir, runs: o.runs, channel: o.channel, trains: o.trains, cells: o.cells,
                                          gatherBlockBytes: o.gatherBlockBytes, processBlockBytes: o.processBlockBytes)

            let reuse = o.keep && (data.allRawFiles + o.runs.map { data.paths.preprocessResult(run: $0) }).allSatisfy(fm.fileExists)
            let simulated = reuse ? 0 : try CalibrationTiming.seconds { try data.simulate(); try data.preprocess() }
            let rawBytes = CalibrationTiming.fileSize(data.rawFiles(run: o.runs[0])[0])
            print("data: channel \(o.channel), runs \(o.runs) (high/medium/low gain), \(o.trains) trains × \(o.cells) cells, "
                  + "1 sequence file per run of \(CalibrationReport.megabytes(rawBytes)); "
                  + (reuse ? "reused from an earlier --keep run" : "simulated in \(String(format: "%.1f", simulated)) s"))
            print("work dir: \(o.workDir); repeats: \(o.repeats) (numpy \(o.numpyRepeats)); medians\n")

            if o.only != "process" { try measureGather(data) }
            if o.only != "gather" { try measureProcess(data) }
            if o.numpy && o.only == nil { try measureNumpy(data) }
            finishTargets()
            print(report.samplesTable())
            print("")
            if o.memory && o.only == nil {
                let memory = try CalibrationMemoryProbe.measure(cells: o.memoryCells, trainsList: o.memoryTrains,
                                                                channel: o.channel, runs: o.runs, root: o.workDir)
                print(CalibrationReport.memoryTable(cells: o.memoryCells, baseline: memory.baseline, rows: memory.rows))
                print("")
                addMemoryTarget(memory.rows)
            }
            print(report.targetsTable())
            for note in report.notes { print("note: \(note)") }
        }

        /// Gather of run 1's sequence file vs `cat` of it; then the other runs (untimed) and the
        /// raw files leave the page cache so the gathered files stay warm for process.
        mutating func measureGather(_ data: CalibrationDataset) throws {
            let raw = data.rawFiles(run: options.runs[0])
            var cat = CalibrationSample(name: "cat raw sequence file (warm)", bytes: raw.map(CalibrationTiming.fileSize).reduce(0, +))
            var gather = CalibrationSample(name: "gather (1 sequence file)", bytes: cat.bytes)
            // The job's own phase timings (its result metrics).
            let gatherPhaseKeys = ["secondsReadingConverting", "secondsWriting"]
            var gatherPhases = ["— map + convert", "— write (HDF5)"].map { CalibrationSample(name: $0, bytes: 0) }
            // Gather writes as many bytes as it reads: `cp` to a new file shows that floor.
            var copy = CalibrationSample(name: "cp raw sequence file (new file)", bytes: cat.bytes)
            let copyPath = "\(options.workDir)/copy-of-raw.h5"
            _ = try CalibrationTiming.cat(raw)
            for _ in 0..<options.repeats {
                cat.seconds.append(try CalibrationTiming.cat(raw))
                data.removeGathered(run: options.runs[0])
                var stepReport = StepReport()
                gather.seconds.append(try CalibrationTiming.seconds { stepReport = try data.gather(run: options.runs[0]) })
                for (index, key) in gatherPhaseKeys.enumerated() { gatherPhases[index].seconds.append(stepReport.metrics[key] ?? 0) }
                copy.seconds.append(try CalibrationTiming.seconds {
                    let (status, output) = try CalibrationTiming.runProcess("/bin/cp", raw + [copyPath])
                    guard status == 0 else { throw CalibrationBenchError.commandFailed(command: "cp", status: status, output: output) }
                })
                try FileManager.default.removeItem(atPath: copyPath)
            }
            report.notes.append(String(format: "gather / cp of its raw file to a new file = %.2f (cp / cat = %.1f): writing new file pages is this VM's floor",
                                       gather.median / copy.median, copy.median / cat.median))
            report.samples += [cat, gather] + gatherPhases + [copy]
            if options.cold { try measureColdGather(data) }
            guard options.only == nil else { return }
            for run in options.runs.dropFirst() { try data.gather(run: run) }
            CalibrationTiming.evictFromPageCache(data.allRawFiles)
            if !options.keep { data.allRawFiles.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        }

        /// Process (16 ASICs, 3 runs) vs `cat` of the gathered files.
        mutating func measureProcess(_ data: CalibrationDataset) throws {
            let files = data.gatheredFiles
            for (run, file) in zip(options.runs, files) where !FileManager.default.fileExists(atPath: file) {
                try data.gather(run: run)
            }
            var cat = CalibrationSample(name: "cat gathered files (warm)", bytes: files.map(CalibrationTiming.fileSize).reduce(0, +))
            var process = CalibrationSample(name: "process dark, CalFarm (16 ASICs)", bytes: 0)
            // The same job reading its blocks through HDF5 (pread copies) instead of mapping them.
            var reading = CalibrationSample(name: "process dark, reading (no map)", bytes: 0)
            // The same job given more CPUs (process.cpus): the cells split between threads.
            var threaded = CalibrationSample(name: "process dark, \(options.threads) threads", bytes: 0)
            // The job's own phase timings (its result metrics).
            let phaseKeys = ["secondsAccumulating", "secondsFinishing", "secondsWriting"]
            var phases = ["— map + kernel", "— finish + thresholds", "— write 16 products"].map {
                CalibrationSample(name: $0, bytes: 0)
            }
            _ = try CalibrationTiming.cat(files)
            for _ in 0..<options.repeats {
                cat.seconds.append(try CalibrationTiming.cat(files))
                var stepReport = StepReport()
                data.removeProcessOutputs()
                process.seconds.append(try CalibrationTiming.seconds { stepReport = try data.process() })
                process.bytes = Int(stepReport.metrics["bytesRead"] ?? 0)
                for (index, key) in phaseKeys.enumerated() { phases[index].seconds.append(stepReport.metrics[key] ?? 0) }
                data.removeProcessOutputs()
                reading.seconds.append(try CalibrationTiming.seconds { try data.process(mapped: false) })
                reading.bytes = process.bytes
                data.removeProcessOutputs()
                threaded.seconds.append(try CalibrationTiming.seconds { try data.process(threads: options.threads) })
                threaded.bytes = process.bytes
            }
            report.samples += [cat, process] + phases + [reading, threaded]
            if options.cold { try measureColdProcess(data) }
        }

        /// Cold: the gathered files leave the page cache before every `cat` and every job, as on a
        /// cluster where process runs on another node than the gathers that wrote its input.
        mutating func measureColdProcess(_ data: CalibrationDataset) throws {
            let files = data.gatheredFiles
            var cat = CalibrationSample(name: "cat gathered files (cold)", bytes: files.map(CalibrationTiming.fileSize).reduce(0, +))
            var process = CalibrationSample(name: "process dark, CalFarm (cold)", bytes: 0)
            for _ in 0..<options.coldRepeats {
                CalibrationTiming.evictFromPageCache(files)
                cat.seconds.append(try CalibrationTiming.cat(files))
                CalibrationTiming.evictFromPageCache(files)
                var stepReport = StepReport()
                data.removeProcessOutputs()
                process.seconds.append(try CalibrationTiming.seconds { stepReport = try data.process() })
                process.bytes = Int(stepReport.metrics["bytesRead"] ?? 0)
            }
            report.samples += [cat, process]
        }

        /// Cold gather: the raw file leaves the page cache before every `cat` and every job; each
        /// raw byte is read once in production, so a gather job never finds its input cached.
        mutating func measureColdGather(_ data: CalibrationDataset) throws {
            let raw = data.rawFiles(run: options.runs[0])
            var cat = CalibrationSample(name: "cat raw sequence file (cold)", bytes: raw.map(CalibrationTiming.fileSize).reduce(0, +))
            var gather = CalibrationSample(name: "gather (cold)", bytes: cat.bytes)
            for _ in 0..<options.coldRepeats {
                CalibrationTiming.evictFromPageCache(raw)
                cat.seconds.append(try CalibrationTiming.cat(raw))
                CalibrationTiming.evictFromPageCache(raw)
                data.removeGathered(run: options.runs[0])
                gather.seconds.append(try CalibrationTiming.seconds { try data.gather(run: options.runs[0]) })
            }
            report.samples += [cat, gather]
        }

        /// The numpy reference on the same gathered files; the first call also compares its
        /// products with CalFarm's (outside its timed part).
        mutating func measureNumpy(_ data: CalibrationDataset) throws {
            var numpy = CalibrationSample(name: "process dark, numpy (16 ASICs)", bytes: 0)
            let resultDir = "\(options.workDir)/numpy"
            let runs = options.runs.map(String.init).joined(separator: ",")
            for repeatIndex in 0..<options.numpyRepeats {
                var arguments = [options.numpyScript, "--output-dir", data.outputDir, "--runs", runs,
                                 "--channel", String(options.channel), "--asics", "1-16", "--result-dir", resultDir]
                if repeatIndex == 0 { arguments.append("--compare") }
                let command = "\(options.python) \(arguments.joined(separator: " "))"
                let (status, output) = try CalibrationTiming.runProcess(options.python, arguments)
                guard status == 0 else { throw CalibrationBenchError.commandFailed(command: command, status: status, output: output) }
                guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                      let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let seconds = json["seconds"] as? Double, let bytes = json["bytes"] as? Int else {
                    throw CalibrationBenchError.badOutput(command: command, output: output)
                }
                numpy.seconds.append(seconds)
                numpy.bytes = bytes
                if repeatIndex == 0 {
                    let versions = ["numpy", "h5py", "hdf5", "python"].map { "\($0) \(json[$0] ?? "?")" }.joined(separator: ", ")
                    let env = (json["openblas_env"] as? [String: Any]).map { $0.isEmpty ? "none set" : "\($0)" } ?? "?"
                    report.notes.append("numpy reference: \(versions); OpenBLAS/OMP environment: \(env)")
                    if let check = json["check"] as? [String: Any] {
                        let text = check.keys.sorted().map { "\($0) \(check[$0]!)" }.joined(separator: ", ")
                        report.notes.append("numpy vs CalFarm products, largest differences: \(text)")
                    }
                }
            }
            report.samples.append(numpy)
        }

        mutating func finishTargets() {
            func sample(_ prefix: String) -> CalibrationSample? { report.samples.first { $0.name.hasPrefix(prefix) } }
            if let process = sample("process dark, CalFarm"), let numpy = sample("process dark, numpy") {
                let speedup = numpy.median / process.median
                report.targets.append(.init(name: "process dark: numpy time / CalFarm time",
                                            ratioText: String(format: "%.1f×", speedup), target: "≥ 10×", pass: speedup >= 10))
            }
            addRatio("process dark: time / cat of its input", sample("process dark, CalFarm (16"), sample("cat gathered files (warm)"))
            addRatio("— the same, \(options.threads) threads", sample("process dark, \(options.threads) threads"), sample("cat gathered files (warm)"))
            addRatio("— the same, cold page cache", sample("process dark, CalFarm (cold)"), sample("cat gathered files (cold)"))
            addRatio("gather: time / cat of its raw input", sample("gather (1 sequence file)"), sample("cat raw sequence file (warm)"))
            addRatio("— the same, cold page cache", sample("gather (cold)"), sample("cat raw sequence file (cold)"))
        }

        /// A "time / reference time ≤ 2" target, when both samples were measured.
        mutating func addRatio(_ name: String, _ measured: CalibrationSample?, _ reference: CalibrationSample?) {
            guard let measured, let reference else { return }
            let ratio = measured.median / reference.median
            report.targets.append(.init(name: name, ratioText: String(format: "%.2f", ratio), target: "≤ 2", pass: ratio <= 2))
        }

        /// Flat: once the job's block budget is full, doubling the trains adds < 5 % to the peak.
        mutating func addMemoryTarget(_ rows: [CalibrationMemoryProbe.Row]) {
            guard rows.count >= 2, let last = rows.last else { return }
            let before = rows[rows.count - 2]
            let growth = Double(last.peakBytes) / Double(before.peakBytes) - 1
            report.targets.append(.init(name: "process peak RSS, \(before.trains) → \(last.trains) trains",
                                        ratioText: String(format: "%+.1f %%", growth * 100), target: "< +5 %",
                                        pass: growth < 0.05))
        }
    }
}
