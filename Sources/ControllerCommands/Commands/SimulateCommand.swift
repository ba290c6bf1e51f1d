import ArgumentParser
import FarmContract
import Simulator

/// `calfarm simulate`: raw European XFEL dark runs with known constants, plus a truth file.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write simulated raw AGIPD runs (European XFEL layout) and their truth file.")

    @Option(help: "Facility layout to simulate (xfel).") var facility: Facility = .xfel
    @Option(name: .customLong("type"), help: "Measurement to simulate (dark).") var measurement: FarmContract.Measurement = .dark
    @Option(help: ArgumentHelp("Where raw/rNNNN/ and truth.h5 go (the input dir of a request).", valueName: "dir"))
    var outputDir: String
    @Option(parsing: .upToNextOption, help: ArgumentHelp("1-3 run numbers: high, medium, low gain.", valueName: "run"))
    var runs: [Int]
    @Option(help: ArgumentHelp("Channels, e.g. 0-3,8.", valueName: "list"),
            transform: IndexList.argument("--channels", allowed: 0...15))
    var channels: [Int]
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
    @OptionGroup var output: OutputOptions

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

    func validate() throws {
        guard facility == .xfel, measurement == .dark else {
            throw ValidationError("only --facility xfel --type dark can be simulated, not \(facility.rawValue) \(measurement.rawValue)")
        }
        guard ["2017", "2018"].contains(layout) else { throw ValidationError("--layout must be 2017 or 2018, got '\(layout)'") }
        do { try simulation.validate() } catch let SimulationError.invalidOption(name, reason) {
            throw ValidationError("--\(Self.flag[name] ?? name): \(reason)")
        }
    }

    /// Simulator option names → the flags users typed.
    static let flag = ["runs": "runs", "channels": "channels", "trains": "trains", "cells": "cells", "sequences": "sequences",
                       "lostTrains": "lose-trains", "outlierTrains": "outlier-trains", "missingChannels": "missing-channel",
                       "lateChannels": "late-channel", "detectorString": "detector-string"]

    func run() throws {
        try CommandFailure.run {
            let simulation = self.simulation
            let truth = try simulation.write(to: outputDir)
            let raw = runs.map { XFELDarkSimulation.rawRunDirectory(inputDir: outputDir, run: $0) }
            if output.json {
                return try JSONOutput.print(["inputDir": [outputDir], "rawRunDirectories": raw, "truth": [truth]])
            }
            print(simulation.description)
            raw.forEach { print("raw run: \($0)") }
            print("truth: \(truth)")
        }
    }
}
