import HDF5

/// The current-source constants of one ASIC for one current (the drscs process product), or for
/// the best current of each pixel and cell (the merge product, with `chosen_current`). Axes
/// (stage, cell, row, column) as in every joined file, not the legacy branch's cell-last order:
///
/// | Dataset | Shape | Type | Meaning |
/// |---|---|---|---|
/// | `slope` | (3, cells, 64, 64) | float64 | ADU per scan unit, high, medium, low gain (low: mean over its sub-intervals); NaN where not fitted |
/// | `offset` | (3, cells, 64, 64) | float64 | intercept of the same fits |
/// | `residual` | (3, cells, 64, 64) | float64 | RMS residual of the fit, ADU (low: mean over its sub-intervals); NaN if undefined |
/// | `medians` | (3, cells, 64, 64) | float64 | median digital value of each stage's interval |
/// | `thresholds` | (2, cells, 64, 64) | float64 | mean of adjacent stages' medians: high/medium, medium/low |
/// | `frame_count` | (3, cells, 64, 64) | uint32 | frames in each stage's fit |
/// | `switch_step` | (2, cells, 64, 64) | int32 | scan step of the first medium- and low-gain frame; −1 if none |
/// | `error_code` | (cells, 64, 64) | int16 | 0 fitted; 2 more than three stages; 3 fewer than three; 5 a stage could not be fitted; 6 no frame |
/// | `warning_code` | (cells, 64, 64) | int16 | bits: 1 a stage has two frames (no residual), 2 low-gain sub-intervals left out (saturated or empty) |
/// | `chosen_current` | (cells, 64, 64) | int16 | merge only: the current's number (20, 80, 150); 0 = no current fitted |
/// | `collection/…` | | | see `ProductCollection` |
public struct DrscsConstants: Sendable, Equatable {
    public static let stages = 3
    public enum ErrorCode: Int16, Sendable {
        case fitted = 0, tooManyStages = 2, tooFewStages = 3, fitFailed = 5, noFrame = 6
    }
    public enum WarningBit: Int16, Sendable {
        case noResidual = 1, lowSubintervalsLeftOut = 2
    }

    public var cells: Int
    public var slope: [Double], offset: [Double], residual: [Double], medians: [Double], thresholds: [Double]
    public var frameCount: [UInt32]
    public var switchStep: [Int32]
    public var errorCode: [Int16], warningCode: [Int16]
    /// Only in merge products.
    public var chosenCurrent: [Int16]?
    public var collection: ProductCollection

    public init(cells: Int, collection: ProductCollection) {
        self.cells = cells
        let plane = cells * ModuleGeometry.asicPixels
        slope = Array(repeating: .nan, count: Self.stages * plane)
        offset = slope; residual = slope; medians = slope
        thresholds = Array(repeating: .nan, count: 2 * plane)
        frameCount = Array(repeating: 0, count: Self.stages * plane)
        switchStep = Array(repeating: -1, count: 2 * plane)
        errorCode = Array(repeating: ErrorCode.noFrame.rawValue, count: plane)
        warningCode = Array(repeating: 0, count: plane)
        self.collection = collection
    }

    private func shape(_ planes: Int?) -> [Int] {
        (planes.map { [$0] } ?? []) + [cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize]
    }

    public func write(to path: String) throws {
        let file = try File.create(path)
        let root = file.root
        try root.write("slope", slope, shape: shape(3))
        try root.write("offset", offset, shape: shape(3))
        try root.write("residual", residual, shape: shape(3))
        try root.write("medians", medians, shape: shape(3))
        try root.write("thresholds", thresholds, shape: shape(2))
        try root.write("frame_count", frameCount, shape: shape(3))
        try root.write("switch_step", switchStep, shape: shape(2))
        try root.write("error_code", errorCode, shape: shape(nil))
        try root.write("warning_code", warningCode, shape: shape(nil))
        if let chosenCurrent { try root.write("chosen_current", chosenCurrent, shape: shape(nil)) }
        try collection.write(into: root)
        try file.close()
    }

    /// Reads a product written by ``write(to:)``, checking every dataset's shape.
    public static func read(from path: String) throws -> DrscsConstants {
        let file = try File.open(path)
        defer { try? file.close() }
        let root = file.root
        let errors = try root.dataset("error_code")
        guard errors.shape.count == 3, errors.shape.suffix(2) == [ModuleGeometry.asicSize, ModuleGeometry.asicSize] else {
            throw HDF5Error.invalidArgument(file: path, object: "error_code", reason: "shape \(errors.shape), expected (cells, 64, 64)")
        }
        var constants = DrscsConstants(cells: errors.shape[0], collection: try ProductCollection.read(from: root))
        func load<T: HDF5Scalar>(_ name: String, _ type: T.Type, planes: Int?) throws -> [T] {
            let dataset = try root.dataset(name)
            guard dataset.shape == constants.shape(planes) else {
                throw HDF5Error.invalidArgument(file: path, object: name, reason: "shape \(dataset.shape), expected \(constants.shape(planes))")
            }
            return try dataset.read(type)
        }
        constants.slope = try load("slope", Double.self, planes: 3)
        constants.offset = try load("offset", Double.self, planes: 3)
        constants.residual = try load("residual", Double.self, planes: 3)
        constants.medians = try load("medians", Double.self, planes: 3)
        constants.thresholds = try load("thresholds", Double.self, planes: 2)
        constants.frameCount = try load("frame_count", UInt32.self, planes: 3)
        constants.switchStep = try load("switch_step", Int32.self, planes: 2)
        constants.errorCode = try load("error_code", Int16.self, planes: nil)
        constants.warningCode = try load("warning_code", Int16.self, planes: nil)
        if try root.children().contains("chosen_current") {
            constants.chosenCurrent = try load("chosen_current", Int16.self, planes: nil)
        }
        return constants
    }

    /// Copies entry (cell, pixel) `index` of `other` into this one (every stage of every key).
    public mutating func take(_ index: Int, from other: DrscsConstants) {
        let plane = cells * ModuleGeometry.asicPixels
        for s in 0..<Self.stages {
            let i = s * plane + index
            slope[i] = other.slope[i]; offset[i] = other.offset[i]; residual[i] = other.residual[i]
            medians[i] = other.medians[i]; frameCount[i] = other.frameCount[i]
        }
        for s in 0..<2 {
            thresholds[s * plane + index] = other.thresholds[s * plane + index]
            switchStep[s * plane + index] = other.switchStep[s * plane + index]
        }
        errorCode[index] = other.errorCode[index]
        warningCode[index] = other.warningCode[index]
    }
}
