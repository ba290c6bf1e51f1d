import CalFarmTestSupport
import FarmContract
import Foundation
@testable import Farm

/// Fake XFEL raw trees: empty files with real names (the planner only lists names).
enum PlannerFixture {
    /// Creates `<root>/in/raw/rNNNN/RAW-RNNNN-AGIPDcc-Sssss.h5` for every run, channel and sequence,
    /// except channels in `missing[run]`, plus an empty `<root>/out`. Returns (input, output).
    @discardableResult
    static func rawTree(in dir: TemporaryDirectory, runs: [Int] = [819, 820, 821], channels: [Int] = Array(0...15),
                        sequences: Int = 2, missing: [Int: Set<Int>] = [:]) throws -> (input: String, output: String) {
        let input = dir.file("in"), output = dir.file("out")
        let paths = ProductPaths(inputDir: input, outputDir: output, measurement: .dark)
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        for run in runs {
            try fm.createDirectory(atPath: paths.rawRunDir(run: run), withIntermediateDirectories: true)
            for channel in channels where !(missing[run]?.contains(channel) ?? false) {
                for sequence in 0..<sequences {
                    guard fm.createFile(atPath: paths.rawFile(run: run, channel: channel, sequence: sequence), contents: nil)
                    else { throw CocoaError(.fileWriteUnknown) }
                }
            }
        }
        // Noise the planner must ignore.
        try "x".write(toFile: paths.rawRunDir(run: runs[0]) + "/README.txt", atomically: true, encoding: .utf8)
        return (input, output)
    }

    static func darkRequest(input: String, output: String, runType: RunType = .all, channels: [Int]? = nil,
                            overrides: [String] = []) throws -> PlanRequest {
        PlanRequest(measurement: .dark, inputDir: input, outputDir: output, runType: runType, runs: [819, 820, 821],
                    channels: channels, configuration: try Configuration.defaults.applying(overrides: overrides))
    }

    /// An inventory without files: `runs` × `channels` × `sequences`.
    static func inventory(runs: [Int], channels: [Int], sequences: Int) -> RawInventory {
        let perChannel = Dictionary(uniqueKeysWithValues: channels.map { ($0, Array(0..<sequences)) })
        return RawInventory(sequences: Dictionary(uniqueKeysWithValues: runs.map { ($0, perChannel) }))
    }
}
