#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The gather hot path's orientation change for 16-bit frames, in 8 × 8 tiles: eight 16-byte
/// loads, a 24-shuffle SSE2 transpose and eight stores per tile instead of 64 strided element
/// copies (the element loop took ~40 % of gather; docs/performance.md). The maps are those of
/// `Orientation.xfelToAGIPD`; the tests compare both pixel by pixel. Other architectures use
/// the element loop.
extension Orientation {
    /// `asicBlockFromXFELFrame` for UInt16 frames (the raw data type), tiled.
    public static func asicBlockFromXFELFrame(_ frame: UnsafePointer<UInt16>, asic: ASIC, wing: Wing,
                                              into block: UnsafeMutablePointer<UInt16>) {
        let size = ModuleGeometry.asicSize
        let origin = frame + asic.xfelXStart(wing: wing) * ModuleGeometry.rows + asic.xfelYStart(wing: wing)
        #if arch(x86_64)
        xfelToAGIPDTiled(origin, xfelRowStride: ModuleGeometry.rows, into: block, agipdRowStride: size, size: size, wing: wing)
        #else
        xfelToAGIPD(origin, xfelRowStride: ModuleGeometry.rows, into: block, agipdRowStride: size,
                    rows: size, columns: size, wing: wing)
        #endif
    }

    #if arch(x86_64)
    typealias Row8 = SIMD2<Int64>

    /// `xfelToAGIPD` for a square block whose side is a multiple of 8.
    /// Wing 1, `a[r][c] = x[C−1−c][r]`: tile (r0, c0) loads XFEL rows C−1−c0−j (j = 0…7) at
    /// column r0; after the transpose, row i holds a[r0+i][c0…c0+7].
    /// Wing 2, `a[r][c] = x[c][R−1−r]`: loads XFEL rows c0+j at columns R−8−r0…R−1−r0; the
    /// transpose's row i is then a[r0+7−i][c0…c0+7].
    static func xfelToAGIPDTiled(_ xfel: UnsafePointer<UInt16>, xfelRowStride: Int, into agipd: UnsafeMutablePointer<UInt16>,
                                 agipdRowStride: Int, size: Int, wing: Wing) {
        precondition(size % 8 == 0, "tiled orientation needs a side that is a multiple of 8")
        var rows = (Row8(), Row8(), Row8(), Row8(), Row8(), Row8(), Row8(), Row8())
        for r0 in stride(from: 0, to: size, by: 8) {
            for c0 in stride(from: 0, to: size, by: 8) {
                withUnsafeMutableBytes(of: &rows) { buffer in
                    let tile = buffer.baseAddress!.assumingMemoryBound(to: Row8.self)
                    for j in 0..<8 {
                        let source = wing == .one ? xfel + (size - 1 - c0 - j) * xfelRowStride + r0
                                                  : xfel + (c0 + j) * xfelRowStride + (size - 8 - r0)
                        tile[j] = UnsafeRawPointer(source).loadUnaligned(as: Row8.self)
                    }
                    transpose8x8(tile)
                    for i in 0..<8 {
                        let row = wing == .one ? r0 + i : r0 + 7 - i
                        UnsafeMutableRawPointer(agipd + row * agipdRowStride + c0).storeBytes(of: tile[i], as: Row8.self)
                    }
                }
            }
        }
    }

    /// Transposes eight rows of eight 16-bit values in place (SSE2 unpack network).
    @inline(__always)
    static func transpose8x8(_ v: UnsafeMutablePointer<Row8>) {
        let a0 = _mm_unpacklo_epi16(v[0], v[1]), a1 = _mm_unpackhi_epi16(v[0], v[1])
        let a2 = _mm_unpacklo_epi16(v[2], v[3]), a3 = _mm_unpackhi_epi16(v[2], v[3])
        let a4 = _mm_unpacklo_epi16(v[4], v[5]), a5 = _mm_unpackhi_epi16(v[4], v[5])
        let a6 = _mm_unpacklo_epi16(v[6], v[7]), a7 = _mm_unpackhi_epi16(v[6], v[7])
        let b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2)
        let b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3)
        let b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6)
        let b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7)
        v[0] = _mm_unpacklo_epi64(b0, b4); v[1] = _mm_unpackhi_epi64(b0, b4)
        v[2] = _mm_unpacklo_epi64(b1, b5); v[3] = _mm_unpackhi_epi64(b1, b5)
        v[4] = _mm_unpacklo_epi64(b2, b6); v[5] = _mm_unpackhi_epi64(b2, b6)
        v[6] = _mm_unpacklo_epi64(b3, b7); v[7] = _mm_unpackhi_epi64(b3, b7)
    }
    #endif
}
