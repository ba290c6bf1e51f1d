import AGIPD

/// The meaningful XFEL raw sanity checks (agipd-reference §6.10, with the original's vacuous
/// ones made real). Each finding is a warning naming the channel and file; none is fatal,
/// because preprocess already skips what cannot be used.
enum PreprocessSanity {
    static func check(files: [Int: [PreprocessSequenceIndex]], channels: [Int: PreprocessChannelTrains],
                      slotCount: Int) -> [String] {
        var warnings: [String] = []
        let numbers = files.keys.sorted()

        // n_seqs_equal: every channel has the same number of sequence files, numbered 0…n−1.
        let sequenceCounts = numbers.map { files[$0]!.count }
        if Set(sequenceCounts).count > 1 {
            warnings.append("channels have different numbers of sequence files: "
                + zip(numbers, sequenceCounts).map { "channel \($0): \($1)" }.joined(separator: ", "))
        }
        for channel in numbers {
            let sequences = files[channel]!.map(\.sequence)
            if sequences != Array(0..<sequences.count) {
                warnings.append("channel \(channel): sequence files are not numbered 0…\(sequences.count - 1): \(sequences)")
            }
        }

        var pulseCounts: [Int: Set<UInt64>] = [:]
        for channel in numbers {
            for file in files[channel]! {
                let label = "channel \(channel), \(file.fileName)"
                // train_id_zeros: zeros only as trailing padding (zeros inside the data are reported when skipped).
                if let lastNonZero = file.trainIds.lastIndex(where: { $0 != 0 }) {
                    let zeros = (0..<lastNonZero).filter { file.trainIds[$0] == 0 && !(file.dataRows?.contains($0) ?? false) }
                    if !zeros.isEmpty {
                        warnings.append("\(label): \(zeros.count) zero train id(s) before the trailing padding (rows \(zeros.prefix(5).map { String($0) }.joined(separator: ", ")))")
                    }
                }
                // data_vs_pulsec: the INDEX accounts for every frame.
                let total = file.counts.reduce(0, +)
                if total != UInt64(file.frames) {
                    warnings.append("\(label): INDEX counts sum to \(total) frames but image/data has \(file.frames)")
                }
                // train_id_equal: header, trailer and detector agree.
                if let header = file.headerTrainIds, let trailer = file.trailerTrainIds, let detector = file.detectorTrainIds,
                   header != trailer || header != detector {
                    warnings.append("\(label): header, trailer and detector train ids differ")
                }
                pulseCounts[channel, default: []].formUnion(file.counts.filter { $0 > 0 })
            }
        }

        // pulse_loss: every train of every channel has the same number of frames.
        let allCounts = pulseCounts.values.reduce(into: Set<UInt64>()) { $0.formUnion($1) }
        if allCounts.count > 1 {
            warnings.append("frames per train differ: " + pulseCounts.keys.sorted().map {
                "channel \($0): \(pulseCounts[$0]!.sorted().map { String($0) }.joined(separator: "/"))"
            }.joined(separator: ", "))
        }

        // train_id_shift and train_loss: late starts and lost trains, counted per channel.
        let starts = channels.compactMap { $0.value.keptIds.first }
        if let earliest = starts.min() {
            for channel in channels.keys.sorted() {
                let ids = channels[channel]!.keptIds
                guard let first = ids.first, let last = ids.last else { continue }
                if first > earliest {
                    warnings.append("channel \(channel): starts at train \(first), \(first - earliest) train(s) after the earliest channel")
                }
                let lost = Int(last - first) + 1 - ids.count
                if lost > 0 {
                    warnings.append("channel \(channel): \(lost) train(s) lost between trains \(first) and \(last)")
                }
            }
        }
        return warnings
    }
}
