import HDF5

/// The fluorescence (xray) constants of one ASIC: a two-Gaussian maximum-likelihood fit of
/// each pixel and cell's analog values (0 and 1 photon). The original's names are kept
/// (agipd-reference §5.5) with float types instead of its int16 truncation; the rest is new.
///
/// | Dataset | Shape | Type | Meaning |
/// |---|---|---|---|
/// | `photon_spacing` | (1, cells, 64, 64) | float64 | mean₁ − mean₀ in ADU |
/// | `spacing_error` | (1, cells, 64, 64) | float64 | its standard error (inverse Fisher information) |
/// | `gain_per_kev` | (1, cells, 64, 64) | float64 | photon_spacing / the element's line energy (attribute `energy_kev`) |
/// | `peak_mean` | (2, cells, 64, 64) | float64 | 0- and 1-photon peak positions, ADU |
/// | `peak_stddev` | (2, cells, 64, 64) | float64 | their widths σ₀, σ₁ |
/// | `peak_error` | (2, cells, 64, 64) | float64 | standard errors of σ₀, σ₁ |
/// | `hit_fraction` | (1, cells, 64, 64) | float64 | fraction of frames in the 1-photon peak |
/// | `quality` | (1, cells, 64, 64) | float64 | 1 − f(valley) / min(f(mean₀), f(mean₁)) of the fitted density: 1 separated, 0 no dip |
/// | `frame_count` | (1, cells, 64, 64) | uint32 | frames in the fit |
/// | `fit_status` | (1, cells, 64, 64) | uint8 | ``FitStatus`` |
/// | `collection/…` | | | see `ProductCollection` |
///
/// Every float is NaN where `fit_status` ≠ 0: a failed fit never looks like a number.
public struct XrayConstants: Sendable, Equatable {
    public enum FitStatus: UInt8, Sendable, CaseIterable {
        case converged = 0, tooFewFrames = 1, onePeakOnly = 2, spacingTooSmall = 3, notConverged = 4

        public var meaning: String {
            switch self {
            case .converged: "converged"
            case .tooFewFrames: "too few frames"
            case .onePeakOnly: "one peak only"
            case .spacingTooSmall: "spacing ≤ the minimum"
            case .notConverged: "not converged"
            }
        }
    }

    public var cells: Int
    public var energyKeV: Double
    public var photonSpacing: [Double]
    public var spacingError: [Double]
    public var peakMean: [Double]
    public var peakStddev: [Double]
    public var peakError: [Double]
    public var hitFraction: [Double]
    public var quality: [Double]
    public var frameCount: [UInt32]
    public var fitStatus: [UInt8]
    public var collection: ProductCollection

    public init(cells: Int, energyKeV: Double, collection: ProductCollection) {
        self.cells = cells
        self.energyKeV = energyKeV
        let n = cells * ModuleGeometry.asicPixels
        photonSpacing = Array(repeating: .nan, count: n)
        spacingError = photonSpacing; hitFraction = photonSpacing; quality = photonSpacing
        peakMean = Array(repeating: .nan, count: 2 * n)
        peakStddev = peakMean; peakError = peakMean
        frameCount = Array(repeating: 0, count: n)
        fitStatus = Array(repeating: FitStatus.tooFewFrames.rawValue, count: n)
        self.collection = collection
    }

    public var planeShape: [Int] { [1, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }
    public var peakShape: [Int] { [2, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize] }

    public func write(to path: String) throws {
        let file = try File.create(path)
        let root = file.root
        try root.write("photon_spacing", photonSpacing, shape: planeShape)
        try root.write("spacing_error", spacingError, shape: planeShape)
        try root.write("gain_per_kev", photonSpacing.map { $0 / energyKeV }, shape: planeShape)
        try root.dataset("gain_per_kev").setAttribute("energy_kev", energyKeV)
        try root.write("peak_mean", peakMean, shape: peakShape)
        try root.write("peak_stddev", peakStddev, shape: peakShape)
        try root.write("peak_error", peakError, shape: peakShape)
        try root.write("hit_fraction", hitFraction, shape: planeShape)
        try root.write("quality", quality, shape: planeShape)
        try root.write("frame_count", frameCount, shape: planeShape)
        try root.write("fit_status", fitStatus, shape: planeShape)
        try collection.write(into: root)
        try file.close()
    }
}
