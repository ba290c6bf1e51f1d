import AGIPD

/// The pulse-capacitor fit of one ASIC in one streaming pass (agipd-reference §6.4, fixed):
/// per fit window, cell and pixel, exact integer sums over the present frames, then ordinary
/// least squares `analog ≈ slope·x + offset` in closed form.
///
/// The scan step x of a frame is its train's slot. Which frames a pixel sees depends only on
/// the (slot, cell) presence and on the run that injects its row, so n, Σx and Σx² are kept per
/// (run, window, cell) and only Σy, Σxy and Σd per pixel.
final class DrspcAccumulator {
    let cells: Int
    /// Fit windows as half-open ranges of scan steps (high gain, medium gain).
    let windows: [Range<Int>]
    static let pixels = ModuleGeometry.asicPixels
    static let size = ModuleGeometry.asicSize

    /// [run][window][cell]
    private var n: [Int64], sx: [Int64], sxx: [Int64]
    /// [window][cell][pixel]
    private var sy: [UInt64], sxy: [UInt64], sd: [UInt64]
    /// Run order check: per [run][cell][control pixel], Σy and Σxy in the high-gain window over
    /// rows the run does not inject (those of run (k + 4) mod 8), where its data must be flat.
    private var controlY: [UInt64], controlXY: [UInt64]
    static let controlPixels = 8 * size

    init(cells: Int, windows: [Range<Int>]) {
        self.cells = cells
        self.windows = windows
        n = Array(repeating: 0, count: DrspcRows.runs * windows.count * cells)
        sx = n; sxx = n
        sy = Array(repeating: 0, count: windows.count * cells * Self.pixels)
        sxy = sy; sd = sy
        controlY = Array(repeating: 0, count: DrspcRows.runs * cells * Self.controlPixels)
        controlXY = controlY
    }

    func reset() {
        for i in n.indices { n[i] = 0; sx[i] = 0; sxx[i] = 0 }
        for i in sy.indices { sy[i] = 0; sxy[i] = 0; sd[i] = 0 }
        for i in controlY.indices { controlY[i] = 0; controlXY[i] = 0 }
    }


    /// Adds one block of run `run`: `count` slots from run slot `firstSlot`, (count, cells, 64, 64)
    /// elements, presence (count, cells).
    func add(run: Int, upper: Bool, firstSlot: Int, count: Int, analog: UnsafeBufferPointer<UInt16>,
             digital: UnsafeBufferPointer<UInt16>, present: ArraySlice<UInt8>) {
        let rows = DrspcRows.rows(run: run, upper: upper)
        let controlRows = DrspcRows.rows(run: (run + 4) % DrspcRows.runs, upper: upper)
        let presentBase = present.startIndex
        let cells = self.cells, windowCount = windows.count
        sy.withUnsafeMutableBufferPointer { sy in
        sxy.withUnsafeMutableBufferPointer { sxy in
        sd.withUnsafeMutableBufferPointer { sd in
        controlY.withUnsafeMutableBufferPointer { controlY in
        controlXY.withUnsafeMutableBufferPointer { controlXY in
            for s in 0..<count {
                let x = firstSlot + s
                guard let w = windows.firstIndex(where: { $0.contains(x) }) else { continue }
                for c in 0..<cells where present[presentBase + s * cells + c] != 0 {
                    let key = (run * windowCount + w) * cells + c
                    n[key] += 1; sx[key] += Int64(x); sxx[key] += Int64(x * x)
                    let frame = (s * cells + c) * Self.pixels
                    let sums = (w * cells + c) * Self.pixels
                    for r in rows {
                        let offset = r * Self.size
                        Self.addRow(analog.baseAddress! + frame + offset, digital.baseAddress! + frame + offset, x: UInt64(x),
                                    y: sy.baseAddress! + sums + offset, xy: sxy.baseAddress! + sums + offset,
                                    d: sd.baseAddress! + sums + offset)
                    }
                    guard w == 0 else { continue }
                    let control = (run * cells + c) * Self.controlPixels
                    for (j, r) in controlRows.enumerated() {
                        Self.addRow(analog.baseAddress! + frame + r * Self.size, nil, x: UInt64(x),
                                    y: controlY.baseAddress! + control + j * Self.size,
                                    xy: controlXY.baseAddress! + control + j * Self.size, d: nil)
                    }
                }
            }
        }}}}}
    }

    /// One 64-pixel row into its sums, eight lanes at a time: y += a, xy += x·a, d += digital.
    @inline(__always)
    private static func addRow(_ analog: UnsafePointer<UInt16>, _ digital: UnsafePointer<UInt16>?, x: UInt64,
                               y: UnsafeMutablePointer<UInt64>, xy: UnsafeMutablePointer<UInt64>,
                               d: UnsafeMutablePointer<UInt64>?) {
        typealias Lanes = SIMD8<UInt64>
        let scale = Lanes(repeating: x)
        for chunk in stride(from: 0, to: size, by: 8) {
            let a = Lanes(truncatingIfNeeded: UnsafeRawPointer(analog + chunk).loadUnaligned(as: SIMD8<UInt16>.self))
            let yp = UnsafeMutableRawPointer(y + chunk), xyp = UnsafeMutableRawPointer(xy + chunk)
            yp.storeBytes(of: yp.loadUnaligned(as: Lanes.self) &+ a, as: Lanes.self)
            xyp.storeBytes(of: xyp.loadUnaligned(as: Lanes.self) &+ a &* scale, as: Lanes.self)
            if let digital, let d {
                let g = Lanes(truncatingIfNeeded: UnsafeRawPointer(digital + chunk).loadUnaligned(as: SIMD8<UInt16>.self))
                let dp = UnsafeMutableRawPointer(d + chunk)
                dp.storeBytes(of: dp.loadUnaligned(as: Lanes.self) &+ g, as: Lanes.self)
            }
        }
    }

    /// High-gain slopes of every run: on the rows it injects (from `constants` after `finish`)
    /// and on control rows it does not inject. In scan order the first are large, the second ~0.
    func orderEvidence(upper: Bool, constants: DrspcConstants) -> [(injected: [Double], control: [Double])] {
        (0..<DrspcRows.runs).map { k in
            var injected: [Double] = [], control: [Double] = []
            for c in 0..<cells {
                let key = (k * windows.count) * cells + c
                let denominator = n[key] * sxx[key] - sx[key] * sx[key]
                guard denominator > 0 else { continue }
                for r in DrspcRows.rows(run: k, upper: upper) {
                    for col in 0..<Self.size {
                        let slope = constants.slope[c * Self.pixels + r * Self.size + col]
                        if slope.isFinite { injected.append(slope) }
                    }
                }
                let base = (k * cells + c) * Self.controlPixels
                for j in 0..<Self.controlPixels {
                    let y = Int64(controlY[base + j]), xy = Int64(controlXY[base + j])
                    control.append(Double(n[key] * xy - sx[key] * y) / Double(denominator))
                }
            }
            return (injected, control)
        }
    }

    /// Fits every pixel, cell and window into `constants` (the first two windows are high and
    /// medium gain; threshold from their untruncated gain-level means).
    func finish(upper: Bool, into constants: inout DrspcConstants) {
        let pixels = Self.pixels
        for w in 0..<windows.count {
            for c in 0..<cells {
                for i in 0..<pixels {
                    let k = DrspcRows.run(row: i / Self.size, upper: upper)
                    let key = (k * windows.count + w) * cells + c
                    let out = (w * cells + c) * pixels + i
                    let count = n[key]
                    constants.frameCount[out] = UInt32(count)
                    guard count > 0 else {
                        (constants.fitStatus[out], constants.slope[out]) = (DrspcConstants.FitStatus.noFrame.rawValue, .nan)
                        (constants.offset[out], constants.gainlevelMean[out]) = (0, 0)
                        continue
                    }
                    let sum = (w * cells + c) * pixels + i
                    let y = Int64(sy[sum]), xy = Int64(sxy[sum])
                    constants.gainlevelMean[out] = Int64(sd[sum] / UInt64(count))
                    let denominator = count * sxx[key] - sx[key] * sx[key]
                    guard denominator > 0 else {
                        (constants.fitStatus[out], constants.slope[out], constants.offset[out])
                            = (DrspcConstants.FitStatus.tooFewSteps.rawValue, .nan, 0)
                        continue
                    }
                    constants.fitStatus[out] = DrspcConstants.FitStatus.fitted.rawValue
                    constants.slope[out] = Double(count * xy - sx[key] * y) / Double(denominator)
                    // The intercept as an exact quotient; integer division truncates toward zero.
                    constants.offset[out] = (sxx[key] * y - sx[key] * xy) / denominator
                }
            }
        }
        // threshold = floor((gm₀ + gm₁) / 2) from the untruncated means.
        for c in 0..<cells {
            for i in 0..<pixels {
                let k = DrspcRows.run(row: i / Self.size, upper: upper)
                let (n0, n1) = (n[(k * windows.count) * cells + c], n[(k * windows.count + 1) * cells + c])
                let out = c * pixels + i
                guard windows.count >= 2, n0 > 0, n1 > 0 else { constants.threshold[out] = .nan; continue }
                let g0 = Double(sd[c * pixels + i]) / Double(n0)
                let g1 = Double(sd[(cells + c) * pixels + i]) / Double(n1)
                constants.threshold[out] = ((g0 + g1) / 2).rounded(.down)
            }
        }
    }
}
