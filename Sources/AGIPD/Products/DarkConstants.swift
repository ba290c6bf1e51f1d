import HDF5

/// The dark constants of one ASIC (the process product, agipd-reference §5.5), with the
/// original's dataset names, shapes and types plus an explicit frame count:
///
/// | Dataset | Shape | Type | Meaning |
/// |---|---|---|---|
/// | `offset` | (3, cells, 64, 64) | int64 | trunc(mean analog) per gain stage (HG, MG, LG run) |
/// | `gainlevel_mean` | (3, cells, 64, 64) | int64 | trunc(mean digital) |
/// | `stddev` | (3, cells, 64, 64) | float64 | population σ of analog; NaN where frame_count = 0 |
/// | `threshold` | (2, cells, 64, 64) | float64 | floor((gl[k] + gl[k+1]) / 2); NaN if either stage has no frame |
/// | `frame_count` | (3, cells, 64, 64) | uint32 | frames averaged; 0 = no data (offset and gain level are then 0) |
/// | `collection/…` | | | see `ProductCollection` |
///
/// Arrays are flat, row-major in the shapes above.
public struct DarkConstants: Sendable, Equatable {
    /// Gain stages, one dark run each (high, medium, low).
    public static let stages = 3
    public static let offsetName = "offset"
    public static let gainlevelMeanName = "gainlevel_mean"
    public static let stddevName = "stddev"
    public static let thresholdName = "threshold"
    public static let frameCountName = "frame_count"

    public var cells: Int
    public var offset: [Int64]
    public var gainlevelMean: [Int64]
    public var stddev: [Double]
    public var threshold: [Double]
    public var frameCount: [UInt32]
    public var collection: ProductCollection

    /// Zero-filled constants for `cells` memory cells.
    public init(cells: Int, collection: ProductCollection) {
        self.cells = cells
        let perStage = cells * ModuleGeometry.asicPixels
        offset = Array(repeating: 0, count: Self.stages * perStage)
        gainlevelMean = Array(repeating: 0, count: Self.stages * perStage)
        stddev = Array(repeating: 0, count: Self.stages * perStage)
        threshold = Array(repeating: 0, count: (Self.stages - 1) * perStage)
        frameCount = Array(repeating: 0, count: Self.stages * perStage)
        self.collection = collection
    }

    /// (stages, cells, 64, 64)
    public var stageShape: [Int] { [Self.stages, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }
    /// (stages − 1, cells, 64, 64)
    public var thresholdShape: [Int] { [Self.stages - 1, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }

    /// Writes a new file at `path` (callers stage it under a temporary name and rename it).
    public func write(to path: String) throws {
        let file = try File.create(path)
        let root = file.root
        try root.write(Self.offsetName, offset, shape: stageShape)
        try root.write(Self.gainlevelMeanName, gainlevelMean, shape: stageShape)
        try root.write(Self.stddevName, stddev, shape: stageShape)
        try root.write(Self.thresholdName, threshold, shape: thresholdShape)
        try root.write(Self.frameCountName, frameCount, shape: stageShape)
        try collection.write(into: root)
        try file.close()
    }

    /// Reads and checks a file written by `write(to:)`.
    /// - Throws: `HDF5Error` naming the file and dataset when something is missing or has the
    ///   wrong shape or type.
    public static func read(from path: String) throws -> DarkConstants {
        let file = try File.open(path)
        let root = file.root
        let offsetSet = try root.dataset(offsetName)
        let shape = offsetSet.shape
        guard shape.count == 4, shape[0] == stages, shape[2] == ModuleGeometry.asicSize,
              shape[3] == ModuleGeometry.asicSize, shape[1] > 0 else {
            throw HDF5Error.shapeMismatch(file: path, object: offsetName,
                                          expected: [stages, -1, ModuleGeometry.asicSize, ModuleGeometry.asicSize],
                                          found: shape)
        }
        var constants = DarkConstants(cells: shape[1], collection: try ProductCollection.read(from: root))
        constants.offset = try readChecked(root, offsetName, Int64.self, shape: constants.stageShape, path: path)
        constants.gainlevelMean = try readChecked(root, gainlevelMeanName, Int64.self, shape: constants.stageShape, path: path)
        constants.stddev = try readChecked(root, stddevName, Double.self, shape: constants.stageShape, path: path)
        constants.threshold = try readChecked(root, thresholdName, Double.self, shape: constants.thresholdShape, path: path)
        constants.frameCount = try readChecked(root, frameCountName, UInt32.self, shape: constants.stageShape, path: path)
        try file.close()
        return constants
    }

    static func readChecked<T: HDF5Scalar>(_ root: Group, _ name: String, _ type: T.Type, shape: [Int],
                                           path: String) throws -> [T] {
        let dataset = try root.dataset(name)
        guard dataset.shape == shape else {
            throw HDF5Error.shapeMismatch(file: path, object: name, expected: shape, found: dataset.shape)
        }
        guard dataset.elementTypeName == T.hdf5TypeName else {
            throw HDF5Error.typeMismatch(file: path, object: name, expected: T.hdf5TypeName,
                                         found: dataset.elementTypeName)
        }
        return try dataset.read(T.self)
    }
}
