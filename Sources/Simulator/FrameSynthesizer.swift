/// Generates the frames of one train of one module into a reused buffer in the raw layout
/// (frames, 2, 512, 128) uint16, XFEL orientation.
///
/// The per-pixel truth of the current (channel, stage) is held in XFEL order, so the hot loop
/// walks memory linearly: analog = clamp(round(offset + σ·N(0,1)), 1…16383) and
/// digital = clamp(round(gainLevel + σd·N(0,1)), 1…16383). Each train draws from its own
/// stream keyed by (seed, channel, stage, train index), so losing a train or starting a
/// channel late never changes the values of the other trains.
final class FrameSynthesizer {
    static let pixels = 512 * 128

    let cells: Int
    let interleaved: Bool
    let digitalNoise: Float
    let framesPerTrain: Int
    private let normals: [Float]
    /// Truth of the current (channel, stage) in XFEL order: [cell][X][Y].
    private var offset: [Float]
    private var noise: [Float]
    private var gain: [Float]
    /// One train's frames: [frame][plane][X][Y].
    private(set) var frames: [UInt16]

    init(cells: Int, interleaved: Bool, digitalNoise: Double, normals: NormalTable) {
        self.cells = cells
        self.interleaved = interleaved
        self.digitalNoise = Float(digitalNoise)
        framesPerTrain = interleaved ? 2 * cells : cells
        self.normals = normals.values
        let n = cells * Self.pixels
        offset = [Float](repeating: 0, count: n)
        noise = [Float](repeating: 0, count: n)
        gain = [Float](repeating: 0, count: n)
        // Interleaved data leave plane 1 unused (zero); it is never written below.
        frames = [UInt16](repeating: 0, count: framesPerTrain * 2 * Self.pixels)
    }

    /// Loads the truth of one (channel, stage) in XFEL order.
    func load(truth: TruthModel, channel: Int, stage: Int) {
        let wing1 = SimulatorOrientation.isWing1(channel)
        offset.withUnsafeMutableBufferPointer { off in
            noise.withUnsafeMutableBufferPointer { sig in
                gain.withUnsafeMutableBufferPointer { lvl in
                    for cell in 0..<cells {
                        let key = truth.cellKey(channel: channel, stage: stage, cell: cell)
                        let base = cell * Self.pixels
                        for x in 0..<512 {
                            for y in 0..<128 {
                                let (r, c) = SimulatorOrientation.agipd(x: x, y: y, wing1: wing1)
                                let v = truth.values(cellKey: key, stage: stage, row: r, column: c)
                                let i = base + x * 128 + y
                                off[i] = v.offset; sig[i] = v.noise; lvl[i] = v.gain
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fills `frames` with one train's data, drawn from the stream `streamKey`.
    func synthesizeTrain(streamKey: UInt64) {
        var rng = SplitMix64(seed: streamKey)
        let pixels = Self.pixels
        let sigmaD = digitalNoise
        normals.withUnsafeBufferPointer { table in
            offset.withUnsafeBufferPointer { off in
                noise.withUnsafeBufferPointer { sig in
                    gain.withUnsafeBufferPointer { lvl in
                        frames.withUnsafeMutableBufferPointer { out in
                            for cell in 0..<cells {
                                let truthBase = cell * pixels
                                // Raw element index of the analog and digital values of this cell.
                                let analogBase = interleaved ? (2 * cell) * 2 * pixels : cell * 2 * pixels
                                let digitalBase = interleaved ? (2 * cell + 1) * 2 * pixels : analogBase + pixels
                                Self.fill(out, at: analogBase, mean: off, sigma: sig, sigmaScale: 1,
                                          constantSigma: 0, truthBase: truthBase, table: table, rng: &rng)
                                Self.fill(out, at: digitalBase, mean: lvl, sigma: sig, sigmaScale: 0,
                                          constantSigma: sigmaD, truthBase: truthBase, table: table, rng: &rng)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One plane: value = mean + (sigma·sigmaScale + constantSigma)·N(0,1), rounded and clamped.
    @inline(__always)
    private static func fill(_ out: UnsafeMutableBufferPointer<UInt16>, at outBase: Int,
                             mean: UnsafeBufferPointer<Float>, sigma: UnsafeBufferPointer<Float>,
                             sigmaScale: Float, constantSigma: Float, truthBase: Int,
                             table: UnsafeBufferPointer<Float>, rng: inout SplitMix64) {
        var p = 0
        while p < pixels {
            var bits = rng.next()
            for j in 0..<4 {
                let n = table[Int(truncatingIfNeeded: bits & 0xFFFF)]
                bits >>= 16
                let t = truthBase + p + j
                let s = sigma[t] * sigmaScale + constantSigma
                // Clamping first makes the value positive, so +0.5 and truncation round it
                // (half away from zero, like rounded()) without a libm call.
                let v = min(max(mean[t] + s * n, 1), 16383)
                out[outBase + p + j] = UInt16(v + 0.5)
            }
            p += 4
        }
    }
}
