/// Conversions between the XFEL orientation (the raw files' 512 × 128 per module) and the AGIPD
/// orientation (128 × 512) in which all processing happens (agipd-reference §5.4).
///
/// The maps, for a block of `rows` × `columns` AGIPD pixels (`R` × `C`, XFEL block `C` × `R`):
/// * wing 1: `a[r][c] = x[C−1−c][r]`
/// * wing 2: `a[r][c] = x[c][R−1−r]`
/// With `R = 128, C = 512` these are the module maps; with `R = C = 64` they map an ASIC block
/// cut from one orientation onto the same ASIC's block in the other, because each ASIC's window
/// in the XFEL orientation is the mirror image of its AGIPD window (see `ASIC.xfelXStart`).
///
/// The routines work on caller-owned memory with explicit row strides, so a frame can be split
/// into ASIC blocks in one pass without temporaries. They are `@inlinable` so callers in other
/// modules get code specialised for their element type (the gather hot path uses UInt16).
public enum Orientation {
    /// Converts an XFEL-oriented block to the AGIPD orientation.
    /// - Parameters:
    ///   - xfel: first element of the XFEL block; element `[X][Y]` is at `X * xfelRowStride + Y`.
    ///   - agipd: first element of the destination; element `[r][c]` is at `r * agipdRowStride + c`.
    ///   - rows: AGIPD rows of the block (the XFEL block has this many columns).
    ///   - columns: AGIPD columns of the block (the XFEL block has this many rows).
    /// - Complexity: O(rows × columns).
    @inlinable
    public static func xfelToAGIPD<T>(_ xfel: UnsafePointer<T>, xfelRowStride: Int,
                                      into agipd: UnsafeMutablePointer<T>, agipdRowStride: Int,
                                      rows: Int, columns: Int, wing: Wing) {
        switch wing {
        case .one:
            for r in 0..<rows {
                let destination = agipd + r * agipdRowStride
                // x[C−1−c][r]: walk X downwards as c goes up.
                var source = xfel + (columns - 1) * xfelRowStride + r
                for c in 0..<columns {
                    destination[c] = source.pointee
                    source -= xfelRowStride
                }
            }
        case .two:
            for r in 0..<rows {
                let destination = agipd + r * agipdRowStride
                var source = xfel + (rows - 1 - r)
                for c in 0..<columns {
                    destination[c] = source.pointee
                    source += xfelRowStride
                }
            }
        }
    }

    /// Converts an AGIPD-oriented block to the XFEL orientation (the inverse of `xfelToAGIPD`).
    /// - Parameters:
    ///   - agipd: element `[r][c]` at `r * agipdRowStride + c`.
    ///   - xfel: destination, element `[X][Y]` at `X * xfelRowStride + Y`.
    ///   - rows: AGIPD rows of the block; columns: AGIPD columns of the block.
    /// - Complexity: O(rows × columns).
    @inlinable
    public static func agipdToXFEL<T>(_ agipd: UnsafePointer<T>, agipdRowStride: Int,
                                      into xfel: UnsafeMutablePointer<T>, xfelRowStride: Int,
                                      rows: Int, columns: Int, wing: Wing) {
        // In tiles of 16 × 16: a tile's source rows and destination rows stay in L1 while it is
        // turned. Walking whole columns instead (one cache line and one page per element) made
        // this 17 % of writing the XFEL-orientation joined file.
        let tile = 16
        for rowStart in stride(from: 0, to: rows, by: tile) {
            let rowEnd = min(rowStart + tile, rows)
            for columnStart in stride(from: 0, to: columns, by: tile) {
                for x in columnStart..<min(columnStart + tile, columns) {
                    let destination = xfel + x * xfelRowStride
                    switch wing {
                    case .one:
                        // x[X][Y] = a[Y][C−1−X]
                        let source = agipd + (columns - 1 - x)
                        for y in rowStart..<rowEnd { destination[y] = source[y * agipdRowStride] }
                    case .two:
                        // x[X][Y] = a[R−1−Y][X]
                        let source = agipd + x
                        for y in rowStart..<rowEnd { destination[y] = source[(rows - 1 - y) * agipdRowStride] }
                    }
                }
            }
        }
    }

    /// Converts a whole module frame (512 × 128 XFEL) to the AGIPD orientation (128 × 512).
    /// Both buffers must hold exactly `ModuleGeometry.pixels` elements.
    @inlinable
    public static func moduleToAGIPD<T>(_ xfel: UnsafeBufferPointer<T>, into agipd: UnsafeMutableBufferPointer<T>,
                                        wing: Wing) {
        precondition(xfel.count == ModuleGeometry.pixels && agipd.count == ModuleGeometry.pixels,
                     "module buffers must hold 128 × 512 elements")
        xfelToAGIPD(xfel.baseAddress!, xfelRowStride: ModuleGeometry.rows,
                    into: agipd.baseAddress!, agipdRowStride: ModuleGeometry.columns,
                    rows: ModuleGeometry.rows, columns: ModuleGeometry.columns, wing: wing)
    }

    /// Converts a whole module frame (128 × 512 AGIPD) to the XFEL orientation (512 × 128).
    @inlinable
    public static func moduleToXFEL<T>(_ agipd: UnsafeBufferPointer<T>, into xfel: UnsafeMutableBufferPointer<T>,
                                       wing: Wing) {
        precondition(xfel.count == ModuleGeometry.pixels && agipd.count == ModuleGeometry.pixels,
                     "module buffers must hold 128 × 512 elements")
        agipdToXFEL(agipd.baseAddress!, agipdRowStride: ModuleGeometry.columns,
                    into: xfel.baseAddress!, xfelRowStride: ModuleGeometry.rows,
                    rows: ModuleGeometry.rows, columns: ModuleGeometry.columns, wing: wing)
    }

    /// Cuts `asic` out of an XFEL-oriented module frame and writes its 64 × 64 block in the AGIPD
    /// orientation to `block` (row stride 64). This is the per-frame step of gather.
    @inlinable
    public static func asicBlockFromXFELFrame<T>(_ frame: UnsafePointer<T>, asic: ASIC, wing: Wing,
                                                 into block: UnsafeMutablePointer<T>) {
        let size = ModuleGeometry.asicSize
        let origin = frame + asic.xfelXStart(wing: wing) * ModuleGeometry.rows + asic.xfelYStart(wing: wing)
        xfelToAGIPD(origin, xfelRowStride: ModuleGeometry.rows, into: block, agipdRowStride: size,
                    rows: size, columns: size, wing: wing)
    }

    /// Converts one ASIC's 64 × 64 AGIPD block to its 64 × 64 block in the XFEL orientation
    /// (the block that belongs at `asic.xfelXStart/xfelYStart` of the XFEL module).
    @inlinable
    public static func asicBlockToXFEL<T>(_ block: UnsafePointer<T>, wing: Wing, into xfelBlock: UnsafeMutablePointer<T>) {
        let size = ModuleGeometry.asicSize
        agipdToXFEL(block, agipdRowStride: size, into: xfelBlock, xfelRowStride: size,
                    rows: size, columns: size, wing: wing)
    }
}
