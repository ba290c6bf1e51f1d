import Foundation
import HDF5

/// Dark constants computed directly from the raw files of one run and channel, written
/// independently of the production code: frames selected by their per-frame train id, pixels
/// mapped with the §5.4 formulas one by one, statistics in double precision, two passes.
/// Arrays are (cells, 128, 512) in the AGIPD orientation.
struct DarkReference {
    var cells: Int
    var offset: [Int64]
    var gainLevel: [Int64]
    var stddev: [Double]
    var frames: [Int]  // per cell

    /// - Parameters:
    ///   - excludedTrainIds: train ids to leave out (the scenario's outliers).
    ///   - interleaved: frames alternate analog (even cellId) / digital (odd), both in plane 0.
    static func compute(rawDirectory: String, run: Int, channel: Int, detector: String, cells: Int,
                        interleaved: Bool, excludedTrainIds: Set<UInt64>) throws -> DarkReference {
        let prefix = String(format: "RAW-R%04d-AGIPD%02d-S", run, channel)
        let names = try FileManager.default.contentsOfDirectory(atPath: rawDirectory).filter { $0.hasPrefix(prefix) }.sorted()
        // Per (train, cell): analog and digital frames as XFEL arrays.
        var analogFrames: [[Int]: [UInt16]] = [:], digitalFrames: [[Int]: [UInt16]] = [:]
        let source = "INSTRUMENT/\(detector)/DET/\(channel)CH0:xtdf/image"
        for name in names {
            let file = try File.open("\(rawDirectory)/\(name)")
            let data = try file.root.dataset("\(source)/data")
            let frameCount = data.shape[0]
            guard frameCount > 0 else { try file.close(); continue }
            let image = try data.read(UInt16.self)
            let cellIds = try file.root.dataset("\(source)/cellId").read(UInt16.self)
            let trainIds = try file.root.dataset("\(source)/trainId").read(UInt64.self)
            try file.close()
            let frameSize = 2 * 512 * 128
            for f in 0..<frameCount where trainIds[f] != 0 && !excludedTrainIds.contains(trainIds[f]) {
                let plane0 = Array(image[(f * frameSize)..<(f * frameSize + 512 * 128)])
                let plane1 = Array(image[(f * frameSize + 512 * 128)..<((f + 1) * frameSize)])
                let key0 = Int(trainIds[f])
                if interleaved {
                    let cell = Int(cellIds[f]) / 2
                    if cellIds[f] % 2 == 0 { analogFrames[[key0, cell]] = plane0 } else { digitalFrames[[key0, cell]] = plane0 }
                } else {
                    analogFrames[[key0, Int(cellIds[f])]] = plane0
                    digitalFrames[[key0, Int(cellIds[f])]] = plane1
                }
            }
        }
        let wing1 = channel < 8
        // a[r][c] = x[511−c][r] (wing 1), x[c][127−r] (wing 2); x[X][Y] at X * 128 + Y.
        func xfelIndex(_ r: Int, _ c: Int) -> Int { wing1 ? (511 - c) * 128 + r : c * 128 + (127 - r) }
        let pixels = 128 * 512
        var reference = DarkReference(cells: cells, offset: .init(repeating: 0, count: cells * pixels),
                                      gainLevel: .init(repeating: 0, count: cells * pixels),
                                      stddev: .init(repeating: .nan, count: cells * pixels), frames: .init(repeating: 0, count: cells))
        for cell in 0..<cells {
            let keys = analogFrames.keys.filter { $0[1] == cell && digitalFrames[$0] != nil }
            reference.frames[cell] = keys.count
            guard !keys.isEmpty else { continue }
            let n = Double(keys.count)
            for r in 0..<128 {
                for c in 0..<512 {
                    let x = xfelIndex(r, c)
                    let values = keys.map { Double(analogFrames[$0]![x]) }
                    let gains = keys.map { Double(digitalFrames[$0]![x]) }
                    let mean = values.reduce(0, +) / n
                    let i = cell * pixels + r * 512 + c
                    reference.offset[i] = Int64(mean.rounded(.towardZero))
                    reference.gainLevel[i] = Int64((gains.reduce(0, +) / n).rounded(.towardZero))
                    reference.stddev[i] = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
                }
            }
        }
        return reference
    }
}
