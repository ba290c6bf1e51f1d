import AGIPD

/// The current-source scan of one ASIC and one batch of memory cells in one streaming pass over
/// the scan steps (agipd-reference §6.6, redone; docs/formats.md "drscs"): per pixel and cell,
/// the gain stage of every frame is known when the frame arrives, so the fits are sums and the
/// memory is flat in the number of scan steps.
///
/// - Scan axis: step t counts 1 for t < 200 and 10 beyond: x = t, or 200 + 10·(t − 200).
/// - Gain switch: the analog value falls by more than `safetyFactor` ADU from the pixel's
///   previous frame (a lower gain puts the charge far lower on the ADC scale). The frame that
///   falls is the first of the next stage. More than two switches: error 2; fewer: error 3.
/// - Low gain stops at the first frame at or above `saturation` (14000 ADU): later frames are
///   left out. Its interval is split into five equal parts of the steps [first low step, end of
///   scan); each part with two distinct steps is fitted, and the stage's slope, offset and
///   residual are their means (a part left out sets warning bit 2).
/// - Fits: ordinary least squares analog ≈ slope·x + offset from exact integer sums (n, Σx,
///   Σx², Σy, Σxy, Σy²); a stage with fewer than two distinct steps: error 5; exactly two
///   frames: warning bit 1 (no residual).
/// - Medians: of the digital values of each stage, from a 32-bin histogram of 9 ADU bins, the
///   stage's first digital value at the centre of the middle bin, interpolated within the bin
///   holding the middle.
final class DrscsAccumulator {
    static let pixels = ModuleGeometry.asicPixels
    static let size = ModuleGeometry.asicSize
    static let intervals = 7  // high, medium, five low-gain parts
    static let lowParts = 5
    static let bins = 32
    /// Odd, so the stage's first (integer) value sits at the centre of its bin: no half-unit bias.
    static let binWidth = 9
    static let rescaleStep = 200

    let cells: Int
    let steps: Int
    let safetyFactor: Int32
    let saturation: UInt16

    // Per (cell, pixel) of the batch, index e = cell · 4096 + pixel.
    private var previous: [UInt16], hasPrevious: [UInt8], stage: [UInt8], saturated: [UInt8]
    private var switchStep: [Int32]  // [2][e]
    // Per entry and interval, the six sums side by side (one cache line per frame's update):
    // index ((e · intervals + i) · 6 + m), m = n, Σx, Σx², Σy, Σxy, Σy².
    private var sums: [UInt64]
    // Digital histograms per stage, index (s · entries + e) · (bins + 2); [0] below, [bins + 1] above.
    private var histogram: [UInt16]
    private var centre: [UInt16], centred: [UInt8]  // [3][e]

    var entries: Int { cells * Self.pixels }

    /// - Parameters: `cells` in the batch, `steps` of the scan (slots of the gathered files).
    init(cells: Int, steps: Int, safetyFactor: Int, saturation: UInt16 = 14000) {
        self.cells = cells
        self.steps = steps
        self.safetyFactor = Int32(safetyFactor)
        self.saturation = saturation
        let e = cells * Self.pixels
        previous = Array(repeating: 0, count: e)
        hasPrevious = Array(repeating: 0, count: e)
        stage = hasPrevious; saturated = hasPrevious
        switchStep = Array(repeating: -1, count: 2 * e)
        sums = Array(repeating: 0, count: Self.intervals * e * 6)
        histogram = Array(repeating: 0, count: DrscsConstants.stages * e * (Self.bins + 2))
        centre = Array(repeating: 0, count: DrscsConstants.stages * e)
        centred = Array(repeating: 0, count: DrscsConstants.stages * e)
    }

    func reset() {
        for i in previous.indices { previous[i] = 0; hasPrevious[i] = 0; stage[i] = 0; saturated[i] = 0 }
        for i in switchStep.indices { switchStep[i] = -1 }
        for i in sums.indices { sums[i] = 0 }
        for i in histogram.indices { histogram[i] = 0 }
        for i in centred.indices { centred[i] = 0 }
    }

    /// The scan axis value of step `t`.
    @inline(__always)
    static func x(step t: Int) -> Int { t < rescaleStep ? t : rescaleStep + 10 * (t - rescaleStep) }

    /// Adds one block of run `run` (0…3): `count` steps from step `firstStep`, (count, fileCells,
    /// 64, 64) elements, presence (count, fileCells); the batch is cells `firstCell ..< firstCell
    /// + cells` of the file. Only the columns the run injects are read. Steps arrive in order.
    func add(run: Int, upper: Bool, firstStep: Int, count: Int, fileCells: Int, firstCell: Int,
             analog: UnsafeBufferPointer<UInt16>, digital: UnsafeBufferPointer<UInt16>, present: ArraySlice<UInt8>) {
        let firstColumn = DrscsColumns.columns(run: run, upper: upper)[0]
        let presentBase = present.startIndex
        let entries = self.entries, bins = Self.bins, safety = safetyFactor, saturation = self.saturation
        let steps = self.steps
        previous.withUnsafeMutableBufferPointer { previous in
        hasPrevious.withUnsafeMutableBufferPointer { hasPrevious in
        stage.withUnsafeMutableBufferPointer { stage in
        saturated.withUnsafeMutableBufferPointer { saturated in
        switchStep.withUnsafeMutableBufferPointer { switchStep in
        sums.withUnsafeMutableBufferPointer { sums in
        histogram.withUnsafeMutableBufferPointer { histogram in
        centre.withUnsafeMutableBufferPointer { centre in
        centred.withUnsafeMutableBufferPointer { centred in
            for s in 0..<count {
                let t = firstStep + s
                let x = UInt64(Self.x(step: t))
                for c in 0..<cells where present[presentBase + s * fileCells + firstCell + c] != 0 {
                    let frame = (s * fileCells + firstCell + c) * Self.pixels
                    for row in 0..<Self.size {
                        for column in stride(from: firstColumn, to: Self.size, by: 4) {
                            let pixel = row * Self.size + column
                            let e = c * Self.pixels + pixel
                            let a = analog[frame + pixel], d = digital[frame + pixel]
                            var g = Int(stage[e])
                            if hasPrevious[e] != 0, Int32(previous[e]) - Int32(a) > safety {
                                g += 1
                                stage[e] = UInt8(min(g, 3))
                                if g <= 2 { switchStep[(g - 1) * entries + e] = Int32(t) }
                            }
                            previous[e] = a
                            hasPrevious[e] = 1
                            guard g <= 2 else { continue }
                            var interval = g
                            if g == 2 {
                                if saturated[e] != 0 || a >= saturation { saturated[e] = 1; continue }
                                let start = Int(switchStep[entries + e])
                                interval = 2 + min(Self.lowParts - 1, Self.lowParts * (t - start) / max(1, steps - start))
                            }
                            let k = (e * Self.intervals + interval) * 6
                            let y = UInt64(a)
                            sums[k] += 1; sums[k + 1] += x; sums[k + 2] += x * x
                            sums[k + 3] += y; sums[k + 4] += x * y; sums[k + 5] += y * y
                            let h = g * entries + e
                            if centred[h] == 0 { (centre[h], centred[h]) = (d, 1) }
                            let offset = (Int(d) - Int(centre[h])) + bins / 2 * Self.binWidth + Self.binWidth / 2
                            let bin = offset < 0 ? 0 : (offset >= bins * Self.binWidth ? bins + 1 : 1 + offset / Self.binWidth)
                            histogram[h * (bins + 2) + bin] &+= 1
                        }
                    }
                }
            }
        }}}}}}}}}
    }

    /// Frames of interval `i` of entry `e`.
    @inline(__always)
    private func frames(_ e: Int, _ i: Int) -> Int { Int(sums[(e * Self.intervals + i) * 6]) }

    /// One least-squares fit of interval `i` of entry `e`: nil when it has fewer than two distinct steps.
    @inline(__always)
    private func fit(_ e: Int, _ i: Int) -> (slope: Double, offset: Double, residual: Double)? {
        let k = (e * Self.intervals + i) * 6
        let count = Int64(sums[k])
        guard count >= 2 else { return nil }
        let sumX = Int64(sums[k + 1]), sumY = Int64(sums[k + 3])
        let d = count * Int64(sums[k + 2]) - sumX * sumX
        guard d > 0 else { return nil }
        let cxy = count * Int64(sums[k + 4]) - sumX * sumY
        let cyy = count * Int64(sums[k + 5]) - sumY * sumY
        let slope = Double(cxy) / Double(d)
        let offset = (Double(sumY) - slope * Double(sumX)) / Double(count)
        // SSR = (Cyy − Cxy²/D) / n, from exact integer moments.
        let ssr = max(0, (Double(cyy) - Double(cxy) * Double(cxy) / Double(d)) / Double(count))
        return (slope, offset, count > 2 ? (ssr / Double(count)).squareRoot() : .nan)
    }

    /// The median of stage histogram `h`, or NaN if it is empty.
    private func median(_ h: Int) -> Double {
        let base = h * (Self.bins + 2)
        var total = 0
        for b in 0..<(Self.bins + 2) { total += Int(histogram[base + b]) }
        guard total > 0 else { return .nan }
        let middle = Double(total) / 2
        let first = Double(Int(centre[h]) - Self.bins / 2 * Self.binWidth - Self.binWidth / 2) - 0.5  // lower edge of bin 1
        var below = 0
        for b in 0..<(Self.bins + 2) {
            let inBin = Int(histogram[base + b])
            if inBin > 0, Double(below + inBin) >= middle {
                // The overflow bins say only "beyond the histogram": the median is its edge.
                if b == 0 { return first }
                if b == Self.bins + 1 { return first + Double(Self.bins * Self.binWidth) }
                return first + Double((b - 1) * Self.binWidth) + Double(Self.binWidth) * (middle - Double(below)) / Double(inBin)
            }
            below += inBin
        }
        return .nan
    }

    /// Writes the batch's results into `constants` at cells `firstCell ..< firstCell + cells`.
    func finish(into constants: inout DrscsConstants, firstCell: Int) {
        let entries = self.entries, plane = constants.cells * Self.pixels
        for e in 0..<entries {
            let out = firstCell * Self.pixels + e
            for s in 0..<2 { constants.switchStep[s * plane + out] = switchStep[s * entries + e] }
            guard hasPrevious[e] != 0 else {
                constants.errorCode[out] = DrscsConstants.ErrorCode.noFrame.rawValue
                continue
            }
            var warning: Int16 = 0
            var error = DrscsConstants.ErrorCode.fitted
            let stages = Int(stage[e]) + 1
            if stages > 3 { error = .tooManyStages } else if stages < 3 { error = .tooFewStages }
            for g in 0..<DrscsConstants.stages {
                constants.medians[g * plane + out] = median(g * entries + e)
                // High and medium: one interval; low: the mean over its fitted parts.
                let parts = g < 2 ? g...g : 2...(Self.intervals - 1)
                var frames = 0, fitted = 0, residuals = 0
                var slope = 0.0, offset = 0.0, residual = 0.0
                for i in parts {
                    frames += self.frames(e, i)
                    guard let result = fit(e, i) else { continue }
                    fitted += 1
                    slope += result.slope; offset += result.offset
                    if !result.residual.isNaN { residual += result.residual; residuals += 1 }
                }
                constants.frameCount[g * plane + out] = UInt32(frames)
                if g == 2, fitted < Self.lowParts, fitted > 0 { warning |= DrscsConstants.WarningBit.lowSubintervalsLeftOut.rawValue }
                guard fitted > 0 else {
                    if error == .fitted { error = .fitFailed }
                    continue
                }
                constants.slope[g * plane + out] = slope / Double(fitted)
                constants.offset[g * plane + out] = offset / Double(fitted)
                if residuals < fitted { warning |= DrscsConstants.WarningBit.noResidual.rawValue }
                constants.residual[g * plane + out] = residuals == 0 ? .nan : residual / Double(residuals)
            }
            for s in 0..<2 {
                constants.thresholds[s * plane + out] = (constants.medians[s * plane + out] + constants.medians[(s + 1) * plane + out]) / 2
            }
            if error != .fitted {
                // A failed entry keeps its medians and switch steps (for diagnosis), not its fits.
                for g in 0..<DrscsConstants.stages {
                    constants.slope[g * plane + out] = .nan; constants.offset[g * plane + out] = .nan
                    constants.residual[g * plane + out] = .nan
                }
            }
            constants.errorCode[out] = error.rawValue
            constants.warningCode[out] = warning
        }
    }
}
