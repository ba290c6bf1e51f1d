/// Sizes of one AGIPD module (agipd-reference §1, §5.4). The AGIPD orientation is
/// 128 rows × 512 columns; the XFEL raw files store the same module as 512 × 128.
public enum ModuleGeometry {
    /// Rows of a module in the AGIPD orientation.
    public static let rows = 128
    /// Columns of a module in the AGIPD orientation.
    public static let columns = 512
    /// Pixels of one module frame.
    public static let pixels = rows * columns
    /// An ASIC is a square of `asicSize` × `asicSize` pixels.
    public static let asicSize = 64
    /// Pixels of one ASIC block.
    public static let asicPixels = asicSize * asicSize
    /// ASICs per module, numbered 1…16.
    public static let asicCount = 16
    /// Modules (XFEL channels 0…15) in AGIPD 1M.
    public static let channelCount = 16
    /// All ASIC numbers in order.
    public static let asicNumbers = Array(1...asicCount)
}

/// The half of the detector a module sits in. It decides how the XFEL orientation maps onto
/// the AGIPD one (agipd-reference §5.4).
public enum Wing: Int, Sendable, Equatable, CaseIterable {
    /// Channels 0–7: `a[r][c] = x[511−c][r]`.
    case one = 1
    /// Channels 8–15: `a[r][c] = x[c][127−r]`.
    case two = 2

    /// The wing of an XFEL channel (0…15).
    public init(channel: Int) {
        self = channel < 8 ? .one : .two
    }
}
