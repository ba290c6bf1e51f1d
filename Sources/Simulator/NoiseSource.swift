import Foundation

/// Deterministic randomness for the simulator: a SplitMix64 stream and a table of standard
/// normal deviates. Drawing Gaussians through a table (indexed by 16-bit slices of one 64-bit
/// draw) costs a shift and a load per sample, so a full detector run generates in seconds;
/// the table is standardised to mean 0 and variance 1 exactly, so frame statistics converge
/// to the truth.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// One 64-bit output (Steele, Lea & Flood's SplitMix64 finaliser).
    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform double in [0, 1).
    @inline(__always)
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines key parts into one well-mixed 64-bit key (order matters).
    static func key(_ parts: UInt64...) -> UInt64 {
        var h: UInt64 = 0x6A09_E667_F3BC_C908
        for part in parts { h = mix(h ^ mix(part &+ 0x9E37_79B9_7F4A_7C15)) }
        return h
    }
}

/// 65,536 standard normal deviates drawn once from the seed (Box–Muller), then shifted and
/// scaled to an exact sample mean of 0 and variance of 1.
struct NormalTable {
    static let size = 1 << 16
    let values: [Float]

    init(seed: UInt64) {
        var rng = SplitMix64(seed: SplitMix64.key(seed, 0x4E4F_524D))
        var raw = [Double](repeating: 0, count: Self.size)
        var i = 0
        while i < Self.size {
            // 1 − u keeps the logarithm's argument in (0, 1].
            let u1 = 1 - rng.nextUnit(), u2 = rng.nextUnit()
            let radius = (-2 * log(u1)).squareRoot()
            raw[i] = radius * cos(2 * Double.pi * u2)
            raw[i + 1] = radius * sin(2 * Double.pi * u2)
            i += 2
        }
        let mean = raw.reduce(0, +) / Double(Self.size)
        let variance = raw.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Self.size)
        let scale = 1 / variance.squareRoot()
        values = raw.map { Float(($0 - mean) * scale) }
    }
}
