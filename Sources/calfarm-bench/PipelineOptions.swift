import Foundation

/// One simulated XFEL dark of `calfarm-bench pipeline`.
struct PipelineShape {
    var name: String
    var channels: [Int]
    var runs = [1, 2, 3]
    var sequences: Int
    /// Trains per run (split over the sequences).
    var trains: Int
    var cells: Int
    var detector = "SPB_DET_AGIPD1M-1"

    /// The small dark of issue 15: 2 channels (one per wing) × 3 runs × 2 sequences × 30 trains × 16 cells, ~720 MiB.
    static let small = PipelineShape(name: "small", channels: [0, 8], sequences: 2, trains: 30, cells: 16)
    /// Production shape: 4 channels of both wings, 352 cells, 2 sequences of 2 trains per run, ~4.1 GiB.
    static let large = PipelineShape(name: "large", channels: [0, 1, 8, 9], sequences: 2, trains: 4, cells: 352)
    /// Through the real SLURM: all 16 channels, 3 runs × 1 sequence × 4 trains × 16 cells, ~190 MiB.
    static let slurm = PipelineShape(name: "slurm16", channels: Array(0...15), sequences: 1, trains: 4, cells: 16)

    var signature: String { "\(channels) \(runs) \(sequences) \(trains) \(cells) \(detector)" }
}

/// Options of `calfarm-bench pipeline`.
struct PipelineOptions {
    var workDir = NSTemporaryDirectory() + "calfarm-bench-pipeline"
    var repeats = 3
    var shapes: [PipelineShape] = [.small, .large]
    var slurm = false
    var python = "python3"
    var numpyScript = "benchmarks/dark_raw_numpy.py"
    var numpy = true

    static let usage = """
        usage: calfarm-bench pipeline [--work-dir DIR] [--repeats N] [--only small,large,slurm]
                                      [--slurm] [--python EXE] [--no-numpy]
        Whole XFEL dark requests (calfarm submit --executor local --wait) against a warm cat of
        their raw files and benchmarks/dark_raw_numpy.py on the same files; --slurm adds a
        16-channel dark through the real SLURM (calfarm submit --wait). Run from the
        repository root after `swift build -c release`. Simulated data stay in the work
        directory and are reused by later runs.
        """

    static func parse(_ arguments: ArraySlice<String>) throws -> PipelineOptions {
        var options = PipelineOptions()
        var words = BenchArguments(arguments, usage: usage)
        while let argument = words.next() {
            switch argument {
            case "--work-dir": options.workDir = try words.value(argument)
            case "--repeats": options.repeats = try words.int(argument, minimum: 1)
            case "--only":
                let names = try words.value(argument).split(separator: ",").map(String.init)
                let known = ["small": PipelineShape.small, "large": .large]
                options.shapes = try names.filter { $0 != "slurm" }.map { name in
                    guard let shape = known[name] else { throw words.failure("--only: unknown shape \(name)") }
                    return shape
                }
                options.slurm = names.contains("slurm")
            case "--slurm": options.slurm = true
            case "--python": options.python = try words.value(argument)
            case "--no-numpy": options.numpy = false
            case "-h", "--help": print(usage); exit(0)
            default: throw words.failure("unknown option \(argument)")
            }
        }
        return options
    }
}
