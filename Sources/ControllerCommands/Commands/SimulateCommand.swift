import ArgumentParser
import FarmContract
import Simulator

/// `calfarm simulate`: raw dark runs, a pulse-capacitor scan (drspc) or fluorescence runs
/// (xray) with known constants, in the European XFEL or the CFEL lab layout, plus a truth file.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write simulated raw AGIPD runs (European XFEL or CFEL layout) and their truth file.")

    @Option(help: "Facility layout to simulate: xfel (RAW files of channels) or cfel (.nxs parts of one module).")
    var facility: Facility = .xfel
    @Option(name: .customLong("type"), help: "Measurement to simulate (dark, drspc, xray; drscs with --facility cfel).") var measurement: FarmContract.Measurement = .dark
    @Option(help: ArgumentHelp("Where raw/rNNNN/ and truth.h5 go (the input dir of a request).", valueName: "dir"))
    var outputDir: String
    @Option(parsing: .upToNextOption, help: ArgumentHelp("dark: 1-3 run numbers (high, medium, low gain); drspc: 8 in scan order; xray: one or more.", valueName: "run"))
    var runs: [Int]
    @Option(help: ArgumentHelp("XFEL channels, e.g. 0-3,8.", valueName: "list"),
            transform: IndexList.argument("--channels", allowed: 0...15))
    var channels: [Int] = []
    @Option(help: ArgumentHelp("CFEL module name.", valueName: "name")) var module = "M304"
    @Option(help: ArgumentHelp("CFEL module position in the file names (m1…m4).", valueName: "m")) var position = "m3"
    @Option(help: ArgumentHelp("CFEL temperature directory.", valueName: "dir")) var temperature = "temperature_m20C"
    @Option(parsing: .upToNextOption, help: ArgumentHelp("CFEL run names, one per run (default: dark hg mg lg, drspc r1…r8, xray none).",
                                                         valueName: "name"))
    var runNames: [String] = []
    @Option(help: ArgumentHelp("CFEL parts per run; 0 = one file per run named without _partNNNNN.", valueName: "N"))
    var parts = 2
    @Option(help: ArgumentHelp("CFEL frames lost in every run, as 1-based sequence numbers.", valueName: "list"),
            transform: IndexList.argument("--lose-frames"))
    var loseFrames: [Int] = []
    @Option(help: ArgumentHelp("CFEL sequence_number type: int32, uint32 or int64.", valueName: "type"))
    var sequenceDtype = "uint32"
    @Option(help: ArgumentHelp("CFEL dark: the integration time in the names (default tint150ns).", valueName: "tint"))
    var tint: String?
    @Option(help: "Trains per run.") var trains: Int
    @Option(help: "Memory cells per train.") var cells: Int
    @Option(help: "Sequence files per run and channel.") var sequences = 1
    @Option(help: "Random seed (same seed, same data).") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Train indices lost in every channel.", valueName: "list"),
            transform: IndexList.argument("--lose-trains"))
    var loseTrains: [Int] = []
    @Option(help: ArgumentHelp("Train indices whose train id is bogus.", valueName: "list"),
            transform: IndexList.argument("--outlier-trains"))
    var outlierTrains: [Int] = []
    @Option(name: .customLong("missing-channel"), help: ArgumentHelp("Channels written without files.", valueName: "list"),
            transform: IndexList.argument("--missing-channel", allowed: 0...15))
    var missingChannels: [Int] = []
    @Option(name: .customLong("late-channel"), help: ArgumentHelp("Channel that misses its first N trains (repeatable).", valueName: "ch:n"),
            transform: LateChannel.init(argument:))
    var lateChannels: [LateChannel] = []
    @Option(help: "Raw file layout: 2017 or 2018.") var layout = "2018"
    @Flag(help: "2017-style interleaved analog/digital frames.") var interleaved = false
    @Option(help: ArgumentHelp("INDEX arrays padded with trailing zeros: train-id (INDEX/trainId only, as EXtra-data's "
                               + "mock writer), all, or none.", valueName: "variant"))
    var indexPadding: XFELIndexPadding = .trainId
    @Option(help: ArgumentHelp("Detector source prefix, e.g. SPB_DET_AGIPD1M-1.", valueName: "name")) var detectorString: String?
    @Flag(help: "drspc, xray: write each train's frames in a shuffled cell order.") var shuffleCells = false
    @Option(help: ArgumentHelp("xray: the fluorescence target, Cu (narrow peaks, 8.0 keV) or Mo (broad, 17.4 keV).",
                               valueName: "element"))
    var element = "Cu"
    @Option(help: ArgumentHelp("drspc: the scan steps at which pixels switch from high to medium gain, e.g. 9-10 "
                               + "(between drspc.high_gain_window and drspc.medium_gain_window).", valueName: "list"),
            transform: IndexList.argument("--switch-steps"))
    var switchSteps: [Int] = [9, 10]
    @Option(parsing: .upToNextOption, help: ArgumentHelp("CFEL drscs: the currents, 4 runs each (current by current in --runs).",
                                                         valueName: "current"))
    var currents: [String] = ["itestc20", "itestc80", "itestc150"]
    @Option(help: ArgumentHelp("CFEL drscs: ASICs whose pixels carry the scan (others read flat), e.g. 1,9.", valueName: "list"),
            transform: IndexList.argument("--asics", allowed: 1...16))
    var asics: [Int] = Array(1...16)
    @OptionGroup var output: OutputOptions

    /// The CFEL current-source scan: --trains is the number of scan steps.
    var drscsSimulation: CFELDrscsSimulation {
        var o = CFELDrscsSimulation.Options()
        (o.module, o.position, o.temperature, o.currents, o.runs) = (module, position, temperature, currents, runs)
        (o.parts, o.cells, o.steps, o.seed, o.lostTrains, o.asics) = (parts, cells, trains, seed, loseTrains, asics)
        if !runNames.isEmpty { o.runNames = runNames }
        return CFELDrscsSimulation(options: o)
    }

    /// Options as the simulator takes them; `validate` has checked them.
    var simulation: XFELDarkSimulation {
        var o = XFELDarkSimulation.Options()
        (o.runs, o.channels, o.trains, o.cells, o.sequences, o.seed) = (runs, channels, trains, cells, sequences, seed)
        (o.lostTrains, o.outlierTrains, o.missingChannels) = (loseTrains, outlierTrains, missingChannels)
        o.lateChannels = Dictionary(lateChannels.map { ($0.channel, $0.trains) }, uniquingKeysWith: { $1 })
        o.layout = .init(rawValue: layout) ?? o.layout
        o.interleaved = interleaved
        o.indexPadding = indexPadding
        if let detectorString { o.detectorString = detectorString }
        return XFELDarkSimulation(options: o)
    }

    /// The drspc scan with the same options (interleaving, layout and faults dark alone has are refused).
    var drspcSimulation: XFELDrspcSimulation {
        var o = XFELDrspcSimulation.Options()
        (o.runs, o.channels, o.trains, o.cells, o.sequences, o.seed) = (runs, channels, trains, cells, sequences, seed)
        (o.lostTrains, o.outlierTrains, o.shuffleCells, o.indexPadding) = (loseTrains, outlierTrains, shuffleCells, indexPadding)
        if let detectorString { o.detectorString = detectorString }
        o.lateChannels = Dictionary(lateChannels.map { ($0.channel, $0.trains) }, uniquingKeysWith: { $1 })
        o.switchRange = (switchSteps.min() ?? 9)...(switchSteps.max() ?? 10)
        return XFELDrspcSimulation(options: o)
    }

    /// The fluorescence runs with the same options.
    var xraySimulation: XFELXraySimulation {
        var o = XFELXraySimulation.Options()
        (o.runs, o.channels, o.trains, o.cells, o.sequences, o.seed) = (runs, channels, trains, cells, sequences, seed)
        (o.lostTrains, o.outlierTrains, o.shuffleCells, o.indexPadding) = (loseTrains, outlierTrains, shuffleCells, indexPadding)
        (o.missingChannels, o.element) = (missingChannels, element)
        if let detectorString { o.detectorString = detectorString }
        o.lateChannels = Dictionary(lateChannels.map { ($0.channel, $0.trains) }, uniquingKeysWith: { $1 })
        return XFELXraySimulation(options: o)
    }

    /// The CFEL runs with the same options.
    var cfelSimulation: CFELSimulation {
        var o = CFELSimulation.Options()
        (o.measurement, o.module, o.position, o.temperature, o.runs) = (measurement, module, position, temperature, runs)
        (o.parts, o.cells, o.trains, o.seed, o.lostTrains, o.lostFrames) = (parts, cells, trains, seed, loseTrains, loseFrames)
        if !runNames.isEmpty { o.runNames = runNames }
        o.sequenceType = CFELSimulation.SequenceType(rawValue: sequenceDtype) ?? .uint32
        o.spec = measurement == .xray ? element : tint
        return CFELSimulation(options: o)
    }

    func validate() throws {
        if measurement == .drscs {
            guard facility == .cfel else { throw ValidationError("--type drscs is a CFEL lab measurement: add --facility cfel") }
            guard loseFrames.isEmpty, tint == nil, element == "Cu" else {
                throw ValidationError("--type drscs takes --currents, --runs (4 per current), --trains (scan steps), --cells, "
                    + "--parts, --lose-trains and --run-names")
            }
            do { try drscsSimulation.validate() } catch let SimulationError.invalidOption(name, reason) {
                throw ValidationError("--\(name): \(reason)")
            }
            return
        }
        guard [.dark, .drspc, .xray].contains(measurement) else {
            throw ValidationError("only --type dark, drspc, xray or (CFEL) drscs can be simulated, not \(measurement.rawValue)")
        }
        if facility == .cfel {
            guard channels.isEmpty, sequences == 1, outlierTrains.isEmpty, missingChannels.isEmpty, lateChannels.isEmpty,
                  !interleaved, layout == "2018", detectorString == nil, !shuffleCells else {
                throw ValidationError("--channels, --sequences, --outlier-trains, --missing-channel, --late-channel, --interleaved, "
                    + "--layout, --detector-string and --shuffle-cells describe XFEL files; CFEL takes --module, --position, "
                    + "--temperature, --run-names, --parts, --lose-trains, --lose-frames and --sequence-dtype")
            }
            guard CFELSimulation.SequenceType(rawValue: sequenceDtype) != nil else {
                throw ValidationError("--sequence-dtype must be int32, uint32 or int64, got '\(sequenceDtype)'")
            }
            if measurement != .xray, element != "Cu" { throw ValidationError("--element applies to --type xray") }
            do { try cfelSimulation.validate() } catch let SimulationError.invalidOption(name, reason) {
                throw ValidationError("--\(name): \(reason)")
            }
            return
        }
        guard runNames.isEmpty, parts == 2, loseFrames.isEmpty, sequenceDtype == "uint32", tint == nil else {
            throw ValidationError("--run-names, --parts, --lose-frames, --sequence-dtype and --tint describe CFEL files (--facility cfel)")
        }
        guard !channels.isEmpty else { throw ValidationError("--channels is needed for XFEL files (e.g. --channels 0-3)") }
        if measurement != .xray, element != "Cu" { throw ValidationError("--element applies to --type xray") }
        if measurement == .xray {
            guard !interleaved, layout == "2018" else {
                throw ValidationError("--type xray simulates 2018-layout files; --interleaved and --layout 2017 are for dark")
            }
            do { try xraySimulation.validate() } catch let SimulationError.invalidOption(name, reason) {
                throw ValidationError("--\(Self.flag[name] ?? name): \(reason)")
            }
            return
        }
        if measurement == .drspc {
            guard !interleaved, layout == "2018", missingChannels.isEmpty else {
                throw ValidationError("--type drspc simulates 2018-layout files; --interleaved, --layout 2017 and --missing-channel are for dark")
            }
            do { try drspcSimulation.validate() } catch let SimulationError.invalidOption(name, reason) {
                throw ValidationError("--\(Self.flag[name] ?? name): \(reason)")
            }
            return
        }
        if shuffleCells { throw ValidationError("--shuffle-cells applies to --type drspc") }
        guard ["2017", "2018"].contains(layout) else { throw ValidationError("--layout must be 2017 or 2018, got '\(layout)'") }
        do { try simulation.validate() } catch let SimulationError.invalidOption(name, reason) {
            throw ValidationError("--\(Self.flag[name] ?? name): \(reason)")
        }
    }

    /// Simulator option names → the flags users typed.
    static let flag = ["runs": "runs", "channels": "channels", "trains": "trains", "cells": "cells", "sequences": "sequences",
                       "lostTrains": "lose-trains", "outlierTrains": "outlier-trains", "missingChannels": "missing-channel",
                       "lateChannels": "late-channel", "detectorString": "detector-string", "element": "element"]

    func run() throws {
        try CommandFailure.run {
            if measurement == .drscs {
                let simulation = drscsSimulation
                let truth = try simulation.write(to: outputDir)
                let directory = CFELRawLayout(inputDir: outputDir, temperature: temperature, measurement: .drscs, module: module,
                                              spec: nil).directory
                if output.json {
                    return try JSONOutput.print(["inputDir": [outputDir], "rawDirectory": [directory], "truth": [truth]])
                }
                print("simulated CFEL drscs: module \(module), currents \(currents.joined(separator: ", ")), runs "
                      + runs.map(String.init).joined(separator: ", ") + ", \(trains) scan steps × \(cells) cells")
                print("raw directory: \(directory)/<current>")
                print("truth: \(truth)")
                return
            }
            if facility == .cfel {
                let simulation = cfelSimulation
                let truth = try simulation.write(to: outputDir)
                var layout = simulation.layout
                layout.inputDir = outputDir
                if output.json {
                    return try JSONOutput.print(["inputDir": [outputDir], "rawDirectory": [layout.directory], "truth": [truth]])
                }
                print(simulation.description)
                print("raw directory: \(layout.directory)")
                print("truth: \(truth)")
                return
            }
            let (truth, description) = switch measurement {
            case .drspc: (try drspcSimulation.write(to: outputDir), drspcSimulation.description)
            case .xray: (try xraySimulation.write(to: outputDir), xraySimulation.description)
            default: (try simulation.write(to: outputDir), simulation.description)
            }
            let raw = runs.map { XFELDarkSimulation.rawRunDirectory(inputDir: outputDir, run: $0) }
            if output.json {
                return try JSONOutput.print(["inputDir": [outputDir], "rawRunDirectories": raw, "truth": [truth]])
            }
            print(description)
            raw.forEach { print("raw run: \($0)") }
            print("truth: \(truth)")
        }
    }
}
