import HDF5

/// The pulse-capacitor constants of one ASIC (the drspc process product, agipd-reference §5.5),
/// with the original's dataset names, shapes and types plus a fit status and frame count:
///
/// | Dataset | Shape | Type | Meaning |
/// |---|---|---|---|
/// | `offset` | (2, cells, 64, 64) | int64 | trunc(intercept) of analog ≈ slope·x + offset, high then medium gain window |
/// | `slope` | (2, cells, 64, 64) | float64 | ADU per scan step; NaN where the fit status is not 0 |
/// | `gainlevel_mean` | (2, cells, 64, 64) | int64 | trunc(mean digital) over the window's frames |
/// | `threshold` | (1, cells, 64, 64) | float64 | floor((gm₀ + gm₁) / 2) of the untruncated means; NaN if a window has no frame |
/// | `fit_status` | (2, cells, 64, 64) | uint8 | 0 fitted; 1 fewer than two distinct scan steps; 2 no frame |
/// | `frame_count` | (2, cells, 64, 64) | uint32 | frames in the window |
/// | `collection/…` | | | see `ProductCollection` |
public struct DrspcConstants: Sendable, Equatable {
    /// Fit windows: high gain, medium gain.
    public static let windows = 2
    public enum FitStatus: UInt8, Sendable {
        case fitted = 0, tooFewSteps = 1, noFrame = 2
    }

    public var cells: Int
    public var offset: [Int64]
    public var slope: [Double]
    public var gainlevelMean: [Int64]
    public var threshold: [Double]
    public var fitStatus: [UInt8]
    public var frameCount: [UInt32]
    public var collection: ProductCollection

    public init(cells: Int, collection: ProductCollection) {
        self.cells = cells
        let n = Self.windows * cells * ModuleGeometry.asicPixels
        offset = Array(repeating: 0, count: n)
        slope = Array(repeating: .nan, count: n)
        gainlevelMean = Array(repeating: 0, count: n)
        threshold = Array(repeating: .nan, count: cells * ModuleGeometry.asicPixels)
        fitStatus = Array(repeating: FitStatus.noFrame.rawValue, count: n)
        frameCount = Array(repeating: 0, count: n)
        self.collection = collection
    }

    public var windowShape: [Int] { [Self.windows, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }
    public var thresholdShape: [Int] { [1, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }

    public func write(to path: String) throws {
        let file = try File.create(path)
        let root = file.root
        try root.write("offset", offset, shape: windowShape)
        try root.write("slope", slope, shape: windowShape)
        try root.write("gainlevel_mean", gainlevelMean, shape: windowShape)
        try root.write("threshold", threshold, shape: thresholdShape)
        try root.write("fit_status", fitStatus, shape: windowShape)
        try root.write("frame_count", frameCount, shape: windowShape)
        try collection.write(into: root)
        try file.close()
    }
}
