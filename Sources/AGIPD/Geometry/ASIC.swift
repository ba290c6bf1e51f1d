/// One ASIC of a module and where its 64 × 64 block sits in either orientation
/// (agipd-reference §5.4). The AGIPD-orientation grid is `[[16 … 9], [1 … 8]]`.
public struct ASIC: Sendable, Equatable, Hashable, Comparable {
    /// 1…16.
    public let number: Int

    /// Returns nil outside 1…16.
    public init?(_ number: Int) {
        guard (1...ModuleGeometry.asicCount).contains(number) else { return nil }
        self.number = number
    }

    /// All 16 ASICs in number order.
    public static let all: [ASIC] = ModuleGeometry.asicNumbers.map { ASIC($0)! }

    public static func < (lhs: ASIC, rhs: ASIC) -> Bool { lhs.number < rhs.number }

    /// First row of the block in the AGIPD orientation: ASICs 1–8 are the lower half.
    public var agipdRowStart: Int { number <= 8 ? 64 : 0 }

    /// First column of the block in the AGIPD orientation: 1–8 left to right, 16–9 left to right.
    public var agipdColumnStart: Int { number <= 8 ? 64 * (number - 1) : 64 * (16 - number) }

    /// Where the block's first element sits in an AGIPD-orientation module frame: r₀ · 512 + c₀.
    public var agipdWindowOffset: Int { agipdRowStart * ModuleGeometry.columns + agipdColumnStart }

    /// Copies the block out of an AGIPD-orientation module frame into 64 × 64 contiguous values
    /// (gather cuts frames into ASIC blocks this way).
    @inlinable
    public func cut<T>(from module: UnsafePointer<T>, into block: UnsafeMutablePointer<T>) {
        let size = ModuleGeometry.asicSize, source = module + agipdWindowOffset
        for row in 0..<size { (block + row * size).update(from: source + row * ModuleGeometry.columns, count: size) }
    }

    /// Places 64 × 64 contiguous values at the block's window of an AGIPD-orientation module
    /// frame (join assembles modules from ASIC products this way); the inverse of ``cut(from:into:)``.
    @inlinable
    public func place<T>(_ block: UnsafePointer<T>, into module: UnsafeMutablePointer<T>) {
        let size = ModuleGeometry.asicSize, target = module + agipdWindowOffset
        for row in 0..<size { (target + row * ModuleGeometry.columns).update(from: block + row * size, count: size) }
    }

    /// The block's element indices r · 512 + c in an AGIPD-orientation module frame, in row order;
    /// with `cells`, those of every cell's frame (cell · 65536 + r · 512 + c), cell by cell.
    public func agipdIndices(cells: Int = 1) -> [Int] {
        (0..<cells).flatMap { cell in
            (agipdRowStart..<(agipdRowStart + ModuleGeometry.asicSize)).flatMap { row in
                let start = cell * ModuleGeometry.pixels + row * ModuleGeometry.columns + agipdColumnStart
                return Array(start..<(start + ModuleGeometry.asicSize))
            }
        }
    }

    /// First X (the 512-long axis) of the block in the XFEL orientation of `wing`.
    public func xfelXStart(wing: Wing) -> Int {
        switch wing {
        // X = 511 − c, so the block starts at 511 − (c0 + 63).
        case .one: ModuleGeometry.columns - ModuleGeometry.asicSize - agipdColumnStart
        // X = c.
        case .two: agipdColumnStart
        }
    }

    /// First Y (the 128-long axis) of the block in the XFEL orientation of `wing`.
    public func xfelYStart(wing: Wing) -> Int {
        switch wing {
        // Y = r.
        case .one: agipdRowStart
        // Y = 127 − r, so the block starts at 127 − (r0 + 63).
        case .two: ModuleGeometry.rows - ModuleGeometry.asicSize - agipdRowStart
        }
    }
}
