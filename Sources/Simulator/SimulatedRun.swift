import AGIPD

/// What the European XFEL simulations beyond dark (drspc, xray) share: which trains a channel's
/// run writes into which sequence file, with the outlier flag, and the per-train cell order.
struct SimulatedRun {
    let run: Int
    let channel: Int
    let trains: Int
    let cells: Int
    let sequences: Int
    let detectorString: String
    let indexPadding: XFELIndexPadding
    let outlierTrains: [Int]

    /// Writes the run's sequence files under `<inputDir>/raw/rNNNN/`; `trainId(index)` is nil
    /// for a train the channel does not have, `streamKey(index)` keys its random stream.
    func write(inputDir: String, synthesizer: some TrainSynthesizer, trainId: (Int) -> UInt64?,
               streamKey: (Int) -> UInt64) throws {
        var perSequence = [[SimulatedTrain]](repeating: [], count: sequences)
        for index in 0..<trains {
            guard let id = trainId(index) else { continue }
            perSequence[index * sequences / trains].append(SimulatedTrain(
                index: index, trainId: id, frames: cells, flag: outlierTrains.contains(index) ? 0 : 1))
        }
        for (sequence, rows) in perSequence.enumerated() {
            let writer = RawSequenceWriter(layout: .y2018, source: XFELSource(detectorString: detectorString, channel: channel),
                                           run: run, sequence: sequence, interleaved: false, padding: indexPadding)
            let path = XFELDarkSimulation.rawRunDirectory(inputDir: inputDir, run: run) + "/"
                + XFELDarkSimulation.rawFileName(run: run, channel: channel, sequence: sequence)
            try writer.write(path: path, trains: rows, synthesizer: synthesizer, streamKey: streamKey)
        }
    }

    /// Writes every run of every channel: `synthesizer(channel, k)` makes run k's frames;
    /// `streamTag` separates the random streams of the measurements.
    static func writeAll(runs: [Int], channels: [Int], trains: Int, cells: Int, sequences: Int, detectorString: String,
                         indexPadding: XFELIndexPadding, outlierTrains: [Int], seed: UInt64, streamTag: UInt64,
                         inputDir: String, trainId: (Int, Int) -> UInt64?,
                         synthesizer: (_ channel: Int, _ k: Int) -> any TrainSynthesizer) throws {
        for run in runs { try XFELDarkSimulation.makeDirectory(XFELDarkSimulation.rawRunDirectory(inputDir: inputDir, run: run)) }
        for channel in channels.sorted() {
            for (k, run) in runs.enumerated() {
                let layout = SimulatedRun(run: run, channel: channel, trains: trains, cells: cells, sequences: sequences,
                                          detectorString: detectorString, indexPadding: indexPadding, outlierTrains: outlierTrains)
                try layout.write(inputDir: inputDir, synthesizer: synthesizer(channel, k), trainId: { trainId($0, channel) }) { index in
                    SplitMix64.key(seed, streamTag, UInt64(channel), UInt64(k), UInt64(index))
                }
            }
        }
    }

    /// The cellId of each frame of train `index`: 0…cells−1, or a per-train permutation (the
    /// same for every channel and run) when shuffling.
    static func cellIds(train index: Int, cells: Int, shuffle: Bool, seed: UInt64) -> [UInt16] {
        var ids = (0..<cells).map { UInt16($0) }
        guard shuffle else { return ids }
        var rng = SplitMix64(seed: SplitMix64.key(seed, 0x5348_5546, UInt64(index)))
        for i in stride(from: ids.count - 1, to: 0, by: -1) { ids.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return ids
    }

    /// The description lines of the faults a simulation writes.
    static func faultLines(lostTrains: [Int], outlierTrains: [Int], missingChannels: [Int], shuffleCells: Bool,
                           lateChannels: [Int: Int]) -> [String] {
        var lines: [String] = []
        if !lostTrains.isEmpty { lines.append("lost trains: \(lostTrains.sorted())") }
        if !outlierTrains.isEmpty { lines.append("bogus train ids at train indices: \(outlierTrains.sorted())") }
        if !missingChannels.isEmpty { lines.append("channels without files: \(missingChannels.sorted())") }
        if shuffleCells { lines.append("cells written in shuffled order") }
        if !lateChannels.isEmpty {
            lines.append("late channels: " + lateChannels.sorted { $0.key < $1.key }
                .map { "\($0.key) misses \($0.value) train(s)" }.joined(separator: ", "))
        }
        return lines
    }

    /// The fault options every simulation checks the same way; messages name the option.
    static func checkFaults(trains: Int, channels: [Int], lostTrains: [Int], outlierTrains: [Int],
                            lateChannels: [Int: Int], missingChannels: [Int]) throws {
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        for (name, list) in [("lostTrains", lostTrains), ("outlierTrains", outlierTrains)] {
            if let wrong = list.first(where: { !(0..<trains).contains($0) }) {
                throw bad(name, "train index \(wrong) is outside 0..<\(trains)")
            }
        }
        if let wrong = lateChannels.first(where: { $0.value < 0 || !channels.contains($0.key) }) {
            throw bad("lateChannels", "channel \(wrong.key) must be simulated and start ≥ 0 trains late")
        }
        if let wrong = missingChannels.first(where: { !channels.contains($0) }) {
            throw bad("missingChannels", "channel \(wrong) is not among the simulated channels \(channels)")
        }
    }
}
