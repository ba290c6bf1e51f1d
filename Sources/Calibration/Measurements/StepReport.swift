import AGIPD
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

extension StepReport {
    /// Runs a step body, adding its wall time as `seconds` and mapping lower-layer errors into
    /// `CalibrationError` (naming `output` when the error has no file of its own).
    static func timed(output: String? = nil, _ body: () throws -> StepReport) throws -> StepReport {
        let started = ContinuousClock.now
        do {
            var report = try body()
            report.metrics["seconds"] = Gather.seconds(since: started)
            return report
        } catch {
            throw CalibrationError.wrapping(error, output: output)
        }
    }
}

extension ASIC {
    /// The ASICs of a job unit's spec, each checked to be 1…16.
    static func selection(_ numbers: [Int]) throws -> [ASIC] {
        try numbers.map { number in
            guard let asic = ASIC(number) else {
                throw CalibrationError.invalidArgument(name: "asics", reason: "ASIC \(number) is not in 1…16")
            }
            return asic
        }
    }
}
