import Foundation

/// A perceptually ordered colour map (viridis' five anchor colours, linearly interpolated) of
/// `levels` colours, plus one grey for "no value" (index `levels`).
struct ColourMap {
    /// 24 colours: smooth enough to read a map, and a PNG of noisy constants stays small (under 5
    /// bits a pixel: a 16-channel dark's 352 maps fit in 20 MB).
    static let levels = 24
    static let missing = UInt8(levels)
    private static let anchors: [(Double, Double, Double)] = [
        (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]

    /// RGB triples: `levels` colours, then the grey.
    static let palette: [UInt8] = {
        var rgb: [UInt8] = []
        for i in 0..<levels {
            let t = Double(i) / Double(levels - 1) * Double(anchors.count - 1)
            let k = min(Int(t), anchors.count - 2), f = t - Double(k)
            let (a, b) = (anchors[k], anchors[k + 1])
            rgb += [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f].map { UInt8($0.rounded()) }
        }
        return rgb + [160, 160, 160]
    }()

    /// `rgb(…)` stops of a CSS gradient for the colour bar.
    static var cssGradient: String {
        stride(from: 0, to: levels, by: 3).map { i in "rgb(\(palette[3 * i]),\(palette[3 * i + 1]),\(palette[3 * i + 2]))" }
            .joined(separator: ",")
    }

    /// The palette index of `value` on [low, high]; `missing` for NaN.
    @inline(__always)
    static func index(_ value: Double, low: Double, high: Double) -> UInt8 {
        guard value.isFinite else { return missing }
        let t = high > low ? (value - low) / (high - low) : 0.5
        return UInt8(max(0, min(Double(levels - 1), (t * Double(levels - 1)).rounded())))
    }
}
