import FarmContract

/// Which steps a request plans: the whole pipeline or one step alone.
public enum RunType: String, Sendable, CaseIterable, Codable {
    case all, preprocess, gather, process, merge, join

    /// The single step, or nil for `all`.
    public var step: Step? { Step(rawValue: rawValue) }
}

/// Everything the planner needs to expand one calibration request into job units.
public struct PlanRequest: Sendable {
    public var facility: Facility
    public var measurement: FarmContract.Measurement
    /// Run numbers in the measurement's order (dark: high, medium, low gain).
    public var runs: [Int]
    public var runType: RunType
    /// XFEL channels (module slots). Ignored for CFEL (one module).
    public var channels: [Int]
    public var asics: [Int]
    /// Raw data root: XFEL `<input>/raw/rNNNN/`, CFEL `<input>/<temperature>/…`.
    public var inputDir: String
    /// Product root (see FarmContract.ProductPaths).
    public var outputDir: String
    /// CFEL module name, e.g. `M304`.
    public var module: String?
    /// CFEL temperature directory, e.g. `temperature_m20C`.
    public var temperature: String?
    public var configuration: Configuration

    /// Creates a request. Runs, channels, ASICs, module and temperature left nil come from the
    /// configuration's `general` section (so `--set general.channels=0-3` and `--channels 0-3` agree).
    public init(facility: Facility = .xfel, measurement: FarmContract.Measurement, inputDir: String,
                outputDir: String, runType: RunType = .all, runs: [Int]? = nil, channels: [Int]? = nil,
                asics: [Int]? = nil, module: String? = nil, temperature: String? = nil,
                configuration: Configuration = .defaults) {
        let general = configuration.general
        self.facility = facility
        self.measurement = measurement
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.runType = runType
        self.runs = runs ?? general.runs
        self.channels = channels ?? general.channels
        self.asics = asics ?? general.asics
        self.module = module ?? general.module
        self.temperature = temperature ?? general.temperature
        self.configuration = configuration
    }

    /// The request's products and raw files (CFEL: under the module's tree).
    public var paths: ProductPaths {
        var paths = ProductPaths(inputDir: inputDir, outputDir: outputDir, measurement: measurement)
        if facility == .cfel, let module, let temperature {
            paths.cfel = .init(module: module, temperature: temperature, spec: cfelSpec)
        }
        return paths
    }

    /// The CFEL `meas_spec` (dark tint, xray element) from the measurement's settings.
    public var cfelSpec: String? {
        MeasurementCatalog.description(of: measurement).cfelSpec(in: configuration.parameters(for: measurement))
    }

    /// Checks runs, channels, ASICs and CFEL settings against the measurement's rules.
    /// - Parameter runsKnown: false skips the run checks (CFEL runs still to be found from their names).
    /// - Throws: ``ConfigurationError`` naming the key.
    public func validate(runsKnown: Bool = true) throws {
        try RequestValidation.validate(measurement: measurement, facility: facility, runs: runsKnown ? runs : nil,
                                       channels: channels, asics: asics, module: module,
                                       temperature: temperature, configuration: configuration)
    }

    /// Memory cells per train of CFEL data: `general.cells`, else the measurement's default.
    public var cfelCells: Int {
        MeasurementCatalog.description(of: measurement).cfelCells(configured: configuration.general.cells)
    }

    /// The steps this request plans, in order.
    /// - Throws: ``PlanError/stepNotApplicable(step:reason:)`` for a step the facility or measurement lacks.
    public func plannedSteps() throws -> [Step] {
        if measurement == .drscs, facility == .xfel {
            throw PlanError.measurementNotAtFacility(measurement: .drscs, facility: .xfel, reason:
                "the current-source scan is a CFEL lab measurement (give --facility cfel with --module and --temperature); "
                + "the original's XFEL drscs has no currents and never ran, and no XFEL layout for it is known")
        }
        let pipeline = MeasurementCatalog.description(of: measurement).steps(at: facility)
        guard let step = runType.step else { return pipeline }
        guard pipeline.contains(step) else {
            let reason = step == .merge
                ? "merge exists only for drscs (it combines the currents)"
                : "CFEL data has no \(step.rawValue) step (frames are numbered across the run: no train index to build)"
            throw PlanError.stepNotApplicable(step: step, reason: reason)
        }
        return [step]
    }
}
