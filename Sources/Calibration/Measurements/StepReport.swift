import FarmContract

/// What one calibration step did, for the worker's `JobResult`: the products renamed into place,
/// warnings worth a user's attention, parts that could not be produced, and figures.
public struct StepReport: Sendable, Equatable {
    /// Product paths, each complete and renamed into place.
    public var outputs: [String]
    /// Non-fatal findings, each naming the file, run, channel or train.
    public var warnings: [String]
    /// Parts that could not be produced (join: channels/ASICs without a process product).
    public var missing: [JobResult.Missing]
    /// Step-specific figures: `framesRead`, `bytesRead`, `bytesWritten`, `seconds`, …
    public var metrics: [String: Double]

    public init(outputs: [String] = [], warnings: [String] = [], missing: [JobResult.Missing] = [],
                metrics: [String: Double] = [:]) {
        self.outputs = outputs
        self.warnings = warnings
        self.missing = missing
        self.metrics = metrics
    }
}
