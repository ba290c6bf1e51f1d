import AGIPD

/// One channel's trains over all its sequence files, in file order, with the ones to skip
/// decided: zero ids inside the data range, single bogus ids (`PreprocessTrainRules`) and ids
/// that do not increase. Every skip is reported as a warning naming channel and file.
struct PreprocessChannelTrains {
    private struct Entry {
        var file: Int
        var row: Int
        var id: UInt64
        var keep: Bool
    }

    let channel: Int
    private let files: [PreprocessSequenceIndex]
    private var entries: [Entry] = []
    private(set) var outlierIds: [UInt64] = []

    /// Ids of the kept trains, strictly increasing.
    var keptIds: [UInt64] { entries.filter(\.keep).map(\.id) }

    init(channel: Int, files: [PreprocessSequenceIndex], warnings: inout [String]) {
        self.channel = channel
        self.files = files
        for (f, file) in files.enumerated() {
            guard let rows = file.dataRows else { continue }
            for row in rows {
                let id = file.trainIds[row]
                if id == 0 {
                    warnings.append("channel \(channel), \(file.fileName): train id 0 at INDEX row \(row) inside the data; skipped")
                }
                entries.append(Entry(file: f, row: row, id: id, keep: id != 0))
            }
        }

        let candidates = entries.indices.filter { entries[$0].keep }
        let flagged = PreprocessTrainRules.outliers(candidates.map { entries[$0].id })
        for (k, i) in candidates.enumerated() where flagged[k] {
            entries[i].keep = false
            outlierIds.append(entries[i].id)
            warnings.append("channel \(channel), \(files[entries[i].file].fileName): bogus train id \(entries[i].id) "
                + "at INDEX row \(entries[i].row); skipped")
        }

        var previous: UInt64?
        for i in entries.indices where entries[i].keep {
            if let last = previous, entries[i].id <= last {
                entries[i].keep = false
                warnings.append("channel \(channel), \(files[entries[i].file].fileName): train id \(entries[i].id) "
                    + "at INDEX row \(entries[i].row) does not increase (after \(last)); skipped")
            } else {
                previous = entries[i].id
            }
        }
    }

    /// The channel's part of the result: slot = trainId − start, −1 for skipped trains.
    func result(start: UInt64) -> PreprocessResult.Channel {
        var sequences: [PreprocessResult.Sequence] = files.map {
            PreprocessResult.Sequence(sequence: $0.sequence, file: $0.fileName, indexOffset: $0.dataRows?.lowerBound ?? 0,
                                      trainIds: [], slots: [], firstFrames: [], counts: [])
        }
        for entry in entries {
            let file = files[entry.file]
            sequences[entry.file].trainIds.append(entry.id)
            sequences[entry.file].slots.append(entry.keep ? Int(entry.id - start) : -1)
            sequences[entry.file].firstFrames.append(Int(file.firsts[entry.row]))
            sequences[entry.file].counts.append(Int(file.counts[entry.row]))
        }
        return PreprocessResult.Channel(channel: channel, sequences: sequences, outlierTrainIds: outlierIds)
    }
}
