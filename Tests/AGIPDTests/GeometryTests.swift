import AGIPD
import Testing

/// Checks the orientation maps and ASIC windows against agipd-reference §5.4, computed here
/// independently with plain index arithmetic.
@Suite struct GeometryTests {
    /// An XFEL module frame whose value at [X][Y] is X * 128 + Y (unique per pixel).
    static let indexFrame: [Int] = (0..<(512 * 128)).map { $0 }

    static func agipdModule(_ xfel: [Int], wing: Wing) -> [Int] {
        var agipd = [Int](repeating: -1, count: 128 * 512)
        xfel.withUnsafeBufferPointer { source in
            agipd.withUnsafeMutableBufferPointer { Orientation.moduleToAGIPD(source, into: $0, wing: wing) }
        }
        return agipd
    }

    /// The ASIC's AGIPD window from the text of §5.4 (not from `ASIC`).
    static func referenceAGIPDWindow(_ n: Int) -> (row: Int, column: Int) {
        n <= 8 ? (64, 64 * (n - 1)) : (0, 64 * (16 - n))
    }

    /// The ASIC's XFEL window from the text of §5.4.
    static func referenceXFELWindow(_ n: Int, wing: Wing) -> (x: Int, y: Int) {
        switch wing {
        case .one: n <= 8 ? (64 * (8 - n), 64) : (64 * (n - 9), 0)
        case .two: n <= 8 ? (64 * (n - 1), 0) : (64 * (16 - n), 64)
        }
    }

    @Test func wingFollowsChannel() {
        #expect((0...7).allSatisfy { Wing(channel: $0) == .one })
        #expect((8...15).allSatisfy { Wing(channel: $0) == .two })
    }

    @Test(arguments: Wing.allCases)
    func moduleConversionFollowsThePixelMaps(wing: Wing) {
        let x = Self.indexFrame
        let a = Self.agipdModule(x, wing: wing)
        for r in 0..<128 {
            for c in 0..<512 {
                let expected = wing == .one ? x[(511 - c) * 128 + r] : x[c * 128 + (127 - r)]
                #expect(a[r * 512 + c] == expected, "r \(r) c \(c)")
                if a[r * 512 + c] != expected { return }
            }
        }
    }

    @Test func xfelPixelZeroOfChannelZeroLandsAtAGIPDZero511() {
        // The marker check of §5.5: XFEL (0,0) of channel 0 turns up at AGIPD (0,511).
        var x = [Int](repeating: 0, count: 512 * 128)
        x[0] = 1
        let a = Self.agipdModule(x, wing: Wing(channel: 0))
        #expect(a[0 * 512 + 511] == 1)
        #expect(a.reduce(0, +) == 1)
    }

    @Test(arguments: Wing.allCases)
    func moduleConversionRoundTrips(wing: Wing) {
        let a = Self.agipdModule(Self.indexFrame, wing: wing)
        var back = [Int](repeating: -1, count: 512 * 128)
        a.withUnsafeBufferPointer { source in
            back.withUnsafeMutableBufferPointer { Orientation.moduleToXFEL(source, into: $0, wing: wing) }
        }
        #expect(back == Self.indexFrame)
    }

    @Test func asicWindowsMatchTheReferenceGrid() {
        for asic in ASIC.all {
            let agipd = Self.referenceAGIPDWindow(asic.number)
            #expect(asic.agipdRowStart == agipd.row && asic.agipdColumnStart == agipd.column, "ASIC \(asic.number)")
            for wing in Wing.allCases {
                let xfel = Self.referenceXFELWindow(asic.number, wing: wing)
                #expect(asic.xfelXStart(wing: wing) == xfel.x && asic.xfelYStart(wing: wing) == xfel.y,
                        "ASIC \(asic.number) wing \(wing.rawValue)")
            }
        }
        #expect(ASIC(0) == nil && ASIC(17) == nil)
        // AGIPD grid [[16..9],[1..8]]: ASIC 16 at the top left, ASIC 9 at the top right.
        #expect(ASIC(16)!.agipdColumnStart == 0 && ASIC(9)!.agipdColumnStart == 448)
    }

    /// The UInt16 overload (gather's tiled SIMD path) against the module map: every one of the
    /// 65 536 pixel indices fits UInt16, so each output value names the pixel it came from.
    @Test(arguments: Wing.allCases)
    func tiledUInt16BlocksEqualTheModuleMapPixelByPixel(wing: Wing) {
        let x = Self.indexFrame
        let a = Self.agipdModule(x, wing: wing)
        let frame = x.map { UInt16($0) }
        var block = [UInt16](repeating: 0, count: 64 * 64)
        for n in 1...16 {
            let (r0, c0) = Self.referenceAGIPDWindow(n)
            frame.withUnsafeBufferPointer { source in
                block.withUnsafeMutableBufferPointer {
                    Orientation.asicBlockFromXFELFrame(source.baseAddress!, asic: ASIC(n)!, wing: wing, into: $0.baseAddress!)
                }
            }
            let mismatches = (0..<(64 * 64)).filter { Int(block[$0]) != a[(r0 + $0 / 64) * 512 + c0 + $0 % 64] }.count
            #expect(mismatches == 0, "ASIC \(n) wing \(wing.rawValue): \(mismatches) pixels differ")
        }
    }

    @Test(arguments: Wing.allCases)
    func cuttingTheConvertedModuleEqualsConvertingTheCutBlock(wing: Wing) {
        let x = Self.indexFrame
        let a = Self.agipdModule(x, wing: wing)
        var block = [Int](repeating: -1, count: 64 * 64)
        var manualBlock = [Int](repeating: -1, count: 64 * 64)
        for n in 1...16 {
            let (r0, c0) = Self.referenceAGIPDWindow(n)
            let (x0, y0) = Self.referenceXFELWindow(n, wing: wing)
            // Route 1: the gather routine (window + conversion straight from the frame).
            x.withUnsafeBufferPointer { frame in
                block.withUnsafeMutableBufferPointer {
                    Orientation.asicBlockFromXFELFrame(frame.baseAddress!, asic: ASIC(n)!, wing: wing, into: $0.baseAddress!)
                }
            }
            // Route 2: cut the XFEL block by hand, then convert it as a 64 × 64 block.
            var xfelBlock = [Int](repeating: 0, count: 64 * 64)
            for i in 0..<64 { for j in 0..<64 { xfelBlock[i * 64 + j] = x[(x0 + i) * 128 + y0 + j] } }
            xfelBlock.withUnsafeBufferPointer { source in
                manualBlock.withUnsafeMutableBufferPointer {
                    Orientation.xfelToAGIPD(source.baseAddress!, xfelRowStride: 64, into: $0.baseAddress!,
                                            agipdRowStride: 64, rows: 64, columns: 64, wing: wing)
                }
            }
            var mismatches = 0
            for i in 0..<64 {
                for j in 0..<64 {
                    let expected = a[(r0 + i) * 512 + c0 + j]
                    if block[i * 64 + j] != expected || manualBlock[i * 64 + j] != expected { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "ASIC \(n) wing \(wing.rawValue): \(mismatches) pixels differ")

            // And back: the AGIPD block converted to XFEL is the XFEL window of the frame.
            var backBlock = [Int](repeating: -1, count: 64 * 64)
            block.withUnsafeBufferPointer { source in
                backBlock.withUnsafeMutableBufferPointer {
                    Orientation.asicBlockToXFEL(source.baseAddress!, wing: wing, into: $0.baseAddress!)
                }
            }
            #expect(backBlock == xfelBlock, "ASIC \(n) wing \(wing.rawValue) back to XFEL")
        }
    }
}
