/// File names of the raw data and of every product, in one place, so the planner, the worker,
/// the simulator and the tests agree. The product tree keeps the original's layout
/// (agipd-reference §5.3); gathered files are per sequence (CalFarm's own format, docs/formats.md).
public struct ProductPaths: Sendable, Equatable {
    public var inputDir: String
    public var outputDir: String
    public var measurement: Measurement
    /// Set for CFEL requests: their products live under `<out>/<module>/<temperature>/…`.
    public var cfel: CFELTree?

    /// Where a CFEL module's products go: `<out>/<module>/<temperature>/<measurement>[/<spec>]`
    /// (agipd-reference §5.3).
    public struct CFELTree: Sendable, Equatable {
        public var module: String
        public var temperature: String
        public var spec: String?
        public init(module: String, temperature: String, spec: String?) {
            self.module = module; self.temperature = temperature; self.spec = spec.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    public init(inputDir: String, outputDir: String, measurement: Measurement, cfel: CFELTree? = nil) {
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.measurement = measurement
        self.cfel = cfel
    }

    /// The unit whose products these paths name when it is not a channel: the CFEL module.
    public var module: DetectorUnit? { cfel.map { .module($0.module) } }

    // MARK: XFEL raw files

    public func rawRunDir(run: Int) -> String { "\(inputDir)/raw/\(Self.runTag(run))" }

    public func rawFile(run: Int, channel: Int, sequence: Int) -> String {
        "\(rawRunDir(run: run))/\(Self.rawFileName(run: run, channel: channel, sequence: sequence))"
    }

    public static func rawFileName(run: Int, channel: Int, sequence: Int) -> String {
        "RAW-R\(pad(run, 4))-AGIPD\(pad(channel, 2))-S\(pad(sequence, 5)).h5"
    }

    /// Parses `RAW-R0819-AGIPD03-S00001.h5` into its run, channel and sequence.
    public static func parseRawFileName(_ name: String) -> (run: Int, channel: Int, sequence: Int)? {
        guard name.hasPrefix("RAW-R"), name.hasSuffix(".h5") else { return nil }
        let parts = name.dropFirst(4).dropLast(3).split(separator: "-")
        guard parts.count == 3, parts[0].first == "R", parts[1].hasPrefix("AGIPD"), parts[2].first == "S",
              let run = Int(parts[0].dropFirst()), let channel = Int(parts[1].dropFirst(5)),
              let sequence = Int(parts[2].dropFirst()) else { return nil }
        return (run, channel, sequence)
    }

    // MARK: Products

    public var measurementDir: String { "\(outputDir)/\(measurement.rawValue)" }

    public func preprocessResult(run: Int) -> String {
        "\(measurementDir)/\(Self.runTag(run))/R\(Self.pad(run, 4))-preprocessing.json"
    }

    public func gathered(run: Int, channel: Int, sequence: Int) -> String {
        "\(measurementDir)/\(Self.runTag(run))/gather/R\(Self.pad(run, 4))-AGIPD\(Self.pad(channel, 2))-S\(Self.pad(sequence, 5))_gathered.h5"
    }

    /// `r0819-r0820-r0821`: the directory of products that combine all runs of a request.
    public static func runsTag(_ runs: [Int]) -> String { runs.map(runTag).joined(separator: "-") }

    public func processed(runs: [Int], channel: Int, asic: Int) -> String {
        "\(measurementDir)/\(Self.runsTag(runs))/process/\(measurement.rawValue)-AGIPD\(Self.pad(channel, 2))_asic\(Self.pad(asic, 2))_agipd.h5"
    }

    public func joinedAGIPD(runs: [Int]) -> String {
        "\(measurementDir)/\(Self.runsTag(runs))/\(measurement.rawValue)_joined_constants_agipd.h5"
    }

    public func joinedXFEL(runs: [Int]) -> String {
        "\(measurementDir)/\(Self.runsTag(runs))/\(measurement.rawValue)_joined_constants_xfel.h5"
    }

    // MARK: Any facility

    /// The directory holding every product of `unit` for one measurement.
    public var unitMeasurementDir: String {
        guard let cfel else { return measurementDir }
        return "\(outputDir)/\(cfel.module)/\(cfel.temperature)/\(measurement.rawValue)" + (cfel.spec.map { "/\($0)" } ?? "")
    }

    /// The gathered file of one sequence (XFEL) or part (CFEL) of `run`.
    public func gathered(run: Int, unit: DetectorUnit, sequence: Int) -> String {
        switch unit {
        case .channel(let channel): return gathered(run: run, channel: channel, sequence: sequence)
        case .module(let module):
            return "\(unitMeasurementDir)/\(Self.runTag(run))/gather/\(module)_\(measurement.rawValue)_R\(Self.pad(run, 4))"
                + "_part\(Self.pad(sequence, 5))_gathered.h5"
        }
    }

    /// The process product of one ASIC of `unit`.
    public func processed(runs: [Int], unit: DetectorUnit, asic: Int) -> String {
        switch unit {
        case .channel(let channel): return processed(runs: runs, channel: channel, asic: asic)
        case .module(let module):
            return "\(unitMeasurementDir)/\(Self.runsTag(runs))/process/\(module)_\(measurement.rawValue)"
                + (cfel?.spec.map { "_\($0)" } ?? "") + "_asic\(Self.pad(asic, 2))_processed.h5"
        }
    }

    /// The merged drscs product of one ASIC (all currents): `<unit dir>/<runs>/merge/…_merged.h5`,
    /// `runs` being every run of the request.
    public func merged(runs: [Int], unit: DetectorUnit, asic: Int) -> String {
        let name: String
        switch unit {
        case .channel(let channel): name = "AGIPD\(Self.pad(channel, 2))"
        case .module(let module): name = module
        }
        return "\(runsDir(runs: runs))/merge/\(name)_\(measurement.rawValue)_asic\(Self.pad(asic, 2))_merged.h5"
    }

    /// The same paths with another CFEL spec (a drscs current); unchanged at XFEL.
    public func withSpec(_ spec: String?) -> ProductPaths {
        var paths = self
        if let cfel { paths.cfel = CFELTree(module: cfel.module, temperature: cfel.temperature, spec: spec) }
        return paths
    }

    /// The directory of the products that combine all runs of a request.
    public func runsDir(runs: [Int]) -> String { "\(unitMeasurementDir)/\(Self.runsTag(runs))" }

    /// CFEL's one joined file: `<module>_<measurement>_joined_constants.h5`, group = module.
    public func joinedModule(runs: [Int]) -> String? {
        cfel.map { "\(runsDir(runs: runs))/\($0.module)_\(measurement.rawValue)_joined_constants.h5" }
    }

    // MARK: Helpers

    public static func runTag(_ run: Int) -> String { "r\(pad(run, 4))" }

    public static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
