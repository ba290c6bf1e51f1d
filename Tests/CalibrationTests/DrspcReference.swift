import Foundation
import HDF5

/// drspc constants computed directly from the raw files of one channel, written independently
/// of the production code: frames selected by their per-frame train id, x = train id − the
/// run's first train id, pixels mapped with the §5.4 formulas, run k taken only for the rows
/// {7 − k + 8j} and {64 + k + 8j}; the slope by two-pass least squares in double precision, the
/// intercept from the normal equations in exact integer-valued doubles.
/// Arrays are (2, cells, 128, 512) in the AGIPD orientation (threshold (1, cells, 128, 512)).
struct DrspcReference {
    var offset: [Int64]
    var slope: [Double]
    var gainLevel: [Int64]
    var threshold: [Double]
    var frames: [Int]

    struct Frame { var x: Int; var analog: [UInt16]; var digital: [UInt16] }

    /// - Parameter firstTrainId: the train id of scan step 0 (the earliest train of the run over
    ///   all channels, so a late channel's steps line up).
    static func compute(inputDir: String, runs: [Int], channel: Int, detector: String, cells: Int,
                        windows: [Range<Int>], excludedTrainIds: Set<UInt64>, firstTrainId: UInt64) throws -> DrspcReference {
        let plane = 128 * 512
        var reference = DrspcReference(offset: .init(repeating: 0, count: 2 * cells * plane),
                                       slope: .init(repeating: .nan, count: 2 * cells * plane),
                                       gainLevel: .init(repeating: 0, count: 2 * cells * plane),
                                       threshold: .init(repeating: .nan, count: cells * plane),
                                       frames: .init(repeating: 0, count: 2 * cells * plane))
        let wing1 = channel < 8
        func xfelIndex(_ r: Int, _ c: Int) -> Int { wing1 ? (511 - c) * 128 + r : c * 128 + (127 - r) }
        var meanGain = [Double](repeating: .nan, count: 2 * cells * plane)
        for (k, run) in runs.enumerated() {
            let frames = try framesOfRun(inputDir: inputDir, run: run, channel: channel, detector: detector,
                                         cells: cells, excluded: excludedTrainIds, firstTrainId: firstTrainId)
            let rows = (0..<128).filter { $0 < 64 ? 7 - $0 % 8 == k : $0 % 8 == k }
            for (w, window) in windows.enumerated() {
                for cell in 0..<cells {
                    let used = frames[cell].filter { window.contains($0.x) }
                    let n = Double(used.count)
                    for r in rows {
                        for c in 0..<512 {
                            let i = (w * cells + cell) * plane + r * 512 + c
                            reference.frames[i] = used.count
                            guard !used.isEmpty else { continue }
                            let x = xfelIndex(r, c)
                            let xs = used.map { Double($0.x) }, ys = used.map { Double($0.analog[x]) }
                            let meanD = used.map { Double($0.digital[x]) }.reduce(0, +) / n
                            meanGain[i] = meanD
                            reference.gainLevel[i] = Int64(meanD.rounded(.towardZero))
                            let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
                            let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
                            guard sxx > 0 else { continue }
                            let slope = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / sxx
                            reference.slope[i] = slope
                            // The intercept from the normal equations: every sum and product is an
                            // integer below 2^53, so the one division is correctly rounded and an
                            // intercept that is exactly an integer stays one (ȳ − slope·x̄ does not).
                            let Sx = xs.reduce(0, +), Sy = ys.reduce(0, +)
                            let Sxx = xs.map { $0 * $0 }.reduce(0, +), Sxy = zip(xs, ys).map { $0 * $1 }.reduce(0, +)
                            let intercept = (Sxx * Sy - Sx * Sxy) / (n * Sxx - Sx * Sx)
                            reference.offset[i] = Int64(intercept.rounded(.towardZero))
                        }
                    }
                }
            }
        }
        for cell in 0..<cells {
            for p in 0..<plane {
                let g0 = meanGain[cell * plane + p], g1 = meanGain[(cells + cell) * plane + p]
                if g0.isFinite && g1.isFinite { reference.threshold[cell * plane + p] = ((g0 + g1) / 2).rounded(.down) }
            }
        }
        return reference
    }

    /// Per cell, the frames of one run and channel with their scan step.
    static func framesOfRun(inputDir: String, run: Int, channel: Int, detector: String, cells: Int,
                            excluded: Set<UInt64>, firstTrainId first: UInt64) throws -> [[Frame]] {
        let directory = String(format: "%@/raw/r%04d", inputDir, run)
        let prefix = String(format: "RAW-R%04d-AGIPD%02d-S", run, channel)
        let source = "INSTRUMENT/\(detector)/DET/\(channel)CH0:xtdf/image"
        var collected: [(train: UInt64, cell: Int, analog: [UInt16], digital: [UInt16])] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasPrefix(prefix) }).sorted() {
            let file = try File.open("\(directory)/\(name)")
            defer { try? file.close() }
            let data = try file.root.dataset("\(source)/data")
            guard data.shape[0] > 0 else { continue }
            let image = try data.read(UInt16.self)
            let cellIds = try file.root.dataset("\(source)/cellId").read(UInt16.self)
            let trainIds = try file.root.dataset("\(source)/trainId").read(UInt64.self)
            let size = 2 * 512 * 128
            for f in 0..<data.shape[0] where !excluded.contains(trainIds[f]) {
                collected.append((trainIds[f], Int(cellIds[f]),
                                  Array(image[(f * size)..<(f * size + size / 2)]), Array(image[(f * size + size / 2)..<((f + 1) * size)])))
            }
        }
        var frames = [[Frame]](repeating: [], count: cells)
        for entry in collected {
            frames[entry.cell].append(Frame(x: Int(entry.train - first), analog: entry.analog, digital: entry.digital))
        }
        return frames
    }
}
