// calfarm-bench: CalFarm's committed benchmarks. Each suite measures CalFarm against a
// reference measured in the same run and prints ratios (the machines are noisy; absolute
// seconds alone mean little). Build in release: `swift build -c release`, then
// `.build/release/calfarm-bench <suite>`; docs/performance.md has the commands and figures.
import Foundation

let suites: [String: (ArraySlice<String>) throws -> Void] = [
    "farm": FarmBenchmarks.run,
    "calibration": CalibrationBenchmarks.run,
    "pipeline": PipelineBenchmark.run,
]

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let suite = suites[name] else {
    print("usage: calfarm-bench <\(suites.keys.sorted().joined(separator: "|"))> [options]")
    exit(2)
}
do {
    try suite(arguments.dropFirst())
} catch {
    FileHandle.standardError.write(Data("calfarm-bench: \(error)\n".utf8))
    exit(1)
}
