import AGIPD
import FarmContract
import Foundation

/// Every part of one CFEL run, opened (headers and sequence numbers only) and checked together:
/// one frame count for the run that fits its memory cells, and no frame in two parts. Gather
/// uses it to find a frame wherever it is (a train, or an analog/digital pair, may be split
/// between two parts); inspection uses it to refuse a run before anything is submitted.
final class CFELRunParts {
    let run: Int
    let cells: Int
    let parts: [CFELRawPart]
    /// Frames the run should have (`frame_numbers[0]`, the same in every part).
    let runFrames: Int

    /// - Parameter paths: the run's part files, in part order.
    /// - Throws: `CalibrationError.badInput` naming the file(s) at fault.
    init(run: Int, paths: [String], cells: Int) throws {
        self.run = run
        self.cells = cells
        var parts: [CFELRawPart] = []
        do {
            for path in paths { parts.append(try CFELRawPart(path: path)) }
        } catch {
            parts.forEach { $0.close() }
            throw error
        }
        self.parts = parts
        runFrames = parts.first?.runFrames ?? 0
        do {
            try check()
        } catch {
            close()
            throw error
        }
    }

    func close() { parts.forEach { $0.close() } }

    private func check() throws {
        guard let first = parts.first else {
            throw CalibrationError.invalidArgument(name: "parts", reason: "run \(run) has no part")
        }
        if let other = parts.first(where: { $0.runFrames != runFrames }) {
            throw CalibrationError.badInput(path: other.path, reason: "\(CFELPartLayout.frameNumbers)[0] is \(other.runFrames), "
                + "but \((first.path as NSString).lastPathComponent) of the same run says \(runFrames)")
        }
        let perTrain = 2 * cells
        guard runFrames % perTrain == 0 else {
            throw CalibrationError.badInput(path: first.path, reason: "run \(run) has \(runFrames) frames "
                + "(\(CFELPartLayout.frameNumbers)[0]), not a whole number of trains of \(cells) cells × analog and digital "
                + "(\(perTrain) frames); set the cells with --cells (general.cells)")
        }
        // No frame in two parts (a part listed twice, or two writers of one run).
        let order = parts.indices.filter { !parts[$0].sequenceNumbers.isEmpty }
            .sorted { parts[$0].sequenceNumbers[0] < parts[$1].sequenceNumbers[0] }
        for (a, b) in zip(order, order.dropFirst()) {
            let left = parts[a], right = parts[b]
            guard right.sequenceNumbers[0] <= left.sequenceNumbers.last! else { continue }
            let common = Set(left.sequenceNumbers).intersection(right.sequenceNumbers)
            guard let low = common.min(), let high = common.max() else { continue }
            throw CalibrationError.badInput(path: right.path, reason: "holds \(common.count) frame(s) (sequence numbers "
                + "\(low)…\(high)) that \((left.path as NSString).lastPathComponent) holds too: a part listed twice, "
                + "or files of two runs with one run number")
        }
    }

    /// Frames of the run that no part holds.
    var lostFrames: Int { runFrames - parts.reduce(0) { $0 + $1.frames } }

    /// (part, index) of the frame numbered `number`, in whichever part holds it.
    func locate(_ number: Int) -> (part: Int, index: Int)? {
        for (p, part) in parts.enumerated() {
            guard let first = part.sequenceNumbers.first, let last = part.sequenceNumbers.last,
                  number >= first, number <= last, let index = part.index(of: number) else { continue }
            return (p, index)
        }
        return nil
    }

    /// Trains of the run without one complete (analog and digital) sample.
    func trainsWithoutSamples() -> [Int] {
        let trains = runFrames / (2 * cells)
        var complete = [Bool](repeating: false, count: trains)
        for part in parts {
            let numbers = part.sequenceNumbers
            for (index, number) in numbers.enumerated() where number % 2 == 1 {
                let place = CFELPartLayout.place(frame: number - 1, cells: cells)
                guard !complete[place.train] else { continue }
                let next = index + 1 < numbers.count && numbers[index + 1] == number + 1
                if next || locate(number + 1) != nil { complete[place.train] = true }
            }
        }
        return complete.indices.filter { !complete[$0] }
    }
}
