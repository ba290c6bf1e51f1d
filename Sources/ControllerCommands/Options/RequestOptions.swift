import ArgumentParser
import Farm
import FarmContract

/// What to calibrate: the options `submit` and `plan` share (the command-line contract).
struct RequestOptions: ParsableArguments {
    @Option(name: .customLong("type"), help: "Measurement to calibrate.")
    var measurement: FarmContract.Measurement

    @Option(help: ArgumentHelp("Raw data root (XFEL: holds raw/rNNNN/).", valueName: "dir"))
    var inputDir: String

    @Option(help: ArgumentHelp("Product root.", valueName: "dir"))
    var outputDir: String

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Run numbers in the measurement's order (dark: high, medium, low gain). Default: general.runs.",
                               valueName: "run"))
    var runs: [Int] = []

    @Option(help: "Steps to plan: all, or one step alone.")
    var runType: RunType = .all

    // `.unconditional`: `--channels -1` is a value to refuse as a channel, not a missing one.
    @Option(parsing: .unconditional,
            help: ArgumentHelp("XFEL channels, e.g. 0-15, 0,8 or 0-3,8-11. Default: general.channels.", valueName: "list"),
            transform: IndexList.argument("--channels", allowed: 0...15))
    var channels: [Int]?

    @Option(parsing: .unconditional, help: ArgumentHelp("ASICs, e.g. 1-16 or 1-8. Default: general.asics.", valueName: "list"),
            transform: IndexList.argument("--asics", allowed: 1...16))
    var asics: [Int]?

    @Option(help: ArgumentHelp("XFEL AGIPD source prefix, e.g. SPB_DET_AGIPD1M-1. Default: general.detector_string, "
                               + "else the one the raw files name.", valueName: "name"))
    var detector: String?

    @Flag(help: "DESY/CFEL lab data (one module; needs --module and --temperature).")
    var cfel = false

    @Option(help: ArgumentHelp("CFEL module name, e.g. M304.", valueName: "name"))
    var module: String?

    @Option(help: ArgumentHelp("CFEL temperature directory, e.g. temperature_m20C.", valueName: "dir"))
    var temperature: String?

    @Option(help: ArgumentHelp("CFEL memory cells per train (the files do not say). Default: general.cells, else 352 (xray: 1).",
                               valueName: "N"))
    var cells: Int?

    @Option(name: .customLong("config"), help: ArgumentHelp("YAML file layered above the site and user files.", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override one key, e.g. --set process.time_limit=02:00:00 (repeatable).", valueName: "section.key=value"))
    var overrides: [String] = []

    @Option(help: "Where job units run.")
    var executor: ExecutorKind = .slurm

    @Flag(help: "Replace the products of an earlier request into the same output tree; that request is marked superseded.")
    var overwrite = false

    func validate() throws {
        if cfel {
            if module == nil { throw ValidationError("--cfel needs --module (e.g. --module M304)") }
            if temperature == nil { throw ValidationError("--cfel needs --temperature (e.g. --temperature temperature_m20C)") }
            if channels != nil { throw ValidationError("--channels applies to XFEL data; CFEL data is one module (--module)") }
        } else {
            if module != nil { throw ValidationError("--module applies only with --cfel") }
            if temperature != nil { throw ValidationError("--temperature applies only with --cfel") }
            if cells != nil { throw ValidationError("--cells applies only with --cfel (XFEL files say how many cells they hold)") }
        }
        if let cells, !(1...352).contains(cells) { throw ValidationError("--cells must be within 1…352, got \(cells)") }
        if cfel, detector != nil { throw ValidationError("--detector applies to XFEL data") }
        if let detector, detector.isEmpty || detector.contains("/") || detector.contains("=") {
            throw ValidationError("--detector must be a source prefix such as SPB_DET_AGIPD1M-1, got '\(detector)'")
        }
        if let run = runs.first(where: { $0 < 0 }) { throw ValidationError("--runs: run number \(run) is negative") }
        for text in overrides {
            guard let equals = text.firstIndex(of: "="), text[..<equals].contains(".") else {
                throw ValidationError("--set '\(text)' must look like section.key=value")
            }
        }
    }

    /// The facade's view of these options.
    var submitOptions: SubmitOptions {
        var options = SubmitOptions(facility: cfel ? .cfel : .xfel, measurement: measurement, inputDir: inputDir,
                      outputDir: outputDir, runs: runs.isEmpty ? nil : runs, runType: runType,
                      channels: channels, asics: asics, module: module, temperature: temperature,
                      configFile: configFile,
                      overrides: overrides + (detector.map { ["general.detector_string=\($0)"] } ?? [])
                          + (cells.map { ["general.cells=\($0)"] } ?? []),
                      executor: executor)
        options.overwrite = overwrite
        return options
    }
}
