/// File names of the raw data and of every product, in one place, so the planner, the worker,
/// the simulator and the tests agree. The product tree keeps the original's layout
/// (agipd-reference §5.3); gathered files are per sequence (CalFarm's own format, docs/formats.md).
public struct ProductPaths: Sendable, Equatable {
    public var inputDir: String
    public var outputDir: String
    public var measurement: Measurement

    public init(inputDir: String, outputDir: String, measurement: Measurement) {
        self.inputDir = inputDir
        self.outputDir = outputDir
        self.measurement = measurement
    }

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

    // MARK: Helpers

    public static func runTag(_ run: Int) -> String { "r\(pad(run, 4))" }

    public static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
