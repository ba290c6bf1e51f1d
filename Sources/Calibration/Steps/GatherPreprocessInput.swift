import AGIPD
import Foundation

/// Loads the preprocess result a gather or process job relies on, with errors naming the file.
enum GatherPreprocessInput {
    static func load(_ path: String) throws -> PreprocessResult {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CalibrationError.missingInput(path: path, what: "preprocess result")
        }
        do {
            return try PreprocessResult.read(from: path)
        } catch {
            throw CalibrationError.badInput(path: path, reason: String(describing: error))
        }
    }

    /// The sequence entry of one channel, checked for internal consistency.
    static func sequence(_ result: PreprocessResult, path: String, channel: Int,
                         sequence: Int) throws -> PreprocessResult.Sequence {
        guard let entry = result.channel(channel) else {
            // Left out by preprocess: say why (its warning names the file).
            let why = result.warnings.first { $0.hasPrefix("channel \(channel):") }
            throw CalibrationError.missingInput(path: path, what: "channel \(channel) of run \(result.run) (not in the preprocess result"
                + (why.map { "; preprocess: \($0)" } ?? "") + ")")
        }
        guard let seq = entry.sequences.first(where: { $0.sequence == sequence }) else {
            throw CalibrationError.missingInput(path: path, what: "sequence \(sequence) of run \(result.run) channel \(channel) (not in the preprocess result)")
        }
        let n = seq.trainIds.count
        guard seq.slots.count == n, seq.firstFrames.count == n, seq.counts.count == n else {
            throw CalibrationError.badInput(path: path, reason: "channel \(channel) sequence \(sequence): trainIds, slots, firstFrames and counts differ in length")
        }
        var previous = -1
        for (i, slot) in seq.slots.enumerated() where slot >= 0 {
            guard slot > previous, slot < result.slotCount, seq.counts[i] >= 0, seq.firstFrames[i] >= 0 else {
                throw CalibrationError.badInput(path: path, reason: "channel \(channel) sequence \(sequence): entry \(i) (train \(seq.trainIds[i])) has slot \(slot), count \(seq.counts[i]); slots must increase and stay below slotCount \(result.slotCount)")
            }
            previous = slot
        }
        return seq
    }
}
