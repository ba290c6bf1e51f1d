import AGIPD
import Farm
import FarmContract
import Foundation
import HDF5
import Simulator

/// A simulated CFEL drscs scan (three currents, ASICs 1 and 9 carrying the scan) and its
/// comparison with the truth, computed here from the simulator's model, not the kernel's code.
public struct DrscsFixture {
    public let dir: TemporaryDirectory
    public let inputDir: String
    public let options: CFELDrscsSimulation.Options
    public static let asics = [1, 9]

    public init(_ name: String, configure: (inout CFELDrscsSimulation.Options) -> Void = { _ in }) throws {
        dir = try TemporaryDirectory(name)
        inputDir = dir.file("in")
        var o = CFELDrscsSimulation.Options()
        (o.cells, o.steps, o.parts, o.asics, o.seed) = (2, 210, 1, Self.asics, 5)
        o.runs = [19, 20, 21, 22, 31, 32, 33, 34, 45, 46, 47, 48]
        configure(&o)
        options = o
        try CFELDrscsSimulation(options: o).write(to: inputDir)
    }

    public func farm(_ extra: [String: String] = [:]) throws -> Farm { try dir.farm(extra) }

    public func submitOptions(output: String = "out", executor: ExecutorKind = .local, overrides: [String] = []) -> SubmitOptions {
        var options = SubmitOptions(measurement: .drscs, inputDir: inputDir, outputDir: dir.file(output), runs: nil,
                                    channels: nil, overrides: ["process.n_jobs=2", "local.workers=2",
                                                               "general.asics=[1, 9]", "general.cells=\(self.options.cells)"] + overrides,
                                    executor: executor)
        options.facility = .cfel
        options.module = self.options.module
        options.temperature = self.options.temperature
        return options
    }

    public func joined(output: String = "out") -> String {
        "\(dir.file(output))/\(options.module)/\(options.temperature)/drscs/\(ProductPaths.runsTag(options.runs))/"
            + "\(options.module)_drscs_joined_constants.h5"
    }

    public func processed(output: String = "out", current index: Int, asic: Int) -> String {
        let runs = DrscsCurrent.runs(ofCurrent: index, in: options.runs)
        let current = options.currents[index]
        return "\(dir.file(output))/\(options.module)/\(options.temperature)/drscs/\(current)/\(ProductPaths.runsTag(runs))/process/"
            + "\(options.module)_drscs_\(current)_asic\(ProductPaths.pad(asic, 2))_processed.h5"
    }

    /// The AGIPD entries (cell · 65536 + r · 512 + c) of the simulated ASICs.
    public var entries: [Int] {
        Self.asics.compactMap(ASIC.init).flatMap { $0.agipdIndices(cells: options.cells) }
    }

    /// The comparison of a joined file with the truth.
    public struct Comparison {
        /// Per stage, (fitted − true slope) / its standard error, over entries with a chosen current.
        public var z: [[Double]] = [[], [], []]
        /// Per threshold, (fitted − true) / its standard error (median of each stage's digital values).
        public var thresholdZ: [[Double]] = [[], []]
        public var chosenAgreement = 0.0
        /// Entries where ranking order and the original's configuration order choose differently.
        public var orderMatters = 0
        public var orderMattersCorrect = 0
        public var entries = 0
    }

    public func compare(joined path: String) throws -> Comparison {
        let truth = try File.open(CFELSimulation.truthPath(inputDir: inputDir))
        defer { try? truth.close() }
        let file = try File.open(path)
        defer { try? file.close() }
        let group = try file.root.group(options.module)
        let slope = try group.dataset("slope").read(Double.self)
        let thresholds = try group.dataset("thresholds").read(Double.self)
        let chosen = try group.dataset("chosen_current").read(Int16.self)
        let gain = try ["high", "medium", "low"].map { try truth.root.dataset("gain_\($0)").read(Double.self) }
        let level = try ["high", "medium", "low"].map { try truth.root.dataset("level_\($0)").read(Double.self) }
        let switches = try truth.root.dataset("switch_step").read(Int32.self)
        let expected = try truth.root.dataset("expected_chosen_current").read(Int16.self)
        let original = try truth.root.dataset("original_rule_chosen_current").read(Int16.self)
        let numbers = options.currents.map { DrscsCurrent($0)!.number }
        let n = options.cells * 65536, steps = options.steps
        let sigma = (options.analogNoise * options.analogNoise + 1.0 / 12).squareRoot()
        let x: [Double] = (0..<steps).map { (t: Int) -> Double in Double(t < 200 ? t : 200 + 10 * (t - 200)) }
        func sxx(_ range: Range<Int>) -> Double {
            var sum = 0.0, squares = 0.0
            for t in range { sum += x[t]; squares += x[t] * x[t] }
            return squares - sum * sum / Double(range.count)
        }
        var result = Comparison()
        var agree = 0
        for e in entries {
            result.entries += 1
            if chosen[e] == expected[e] { agree += 1 }
            if original[e] != expected[e] {
                result.orderMatters += 1
                if chosen[e] == expected[e] { result.orderMattersCorrect += 1 }
            }
            guard chosen[e] != 0, let i = numbers.firstIndex(of: Int(chosen[e])) else { continue }
            let current = Double(numbers[i])
            let s1 = Int(switches[(i * 2) * n + e]), s2 = Int(switches[(i * 2 + 1) * n + e])
            let plane = n
            for g in 0..<2 {
                let range = g == 0 ? 0..<s1 : s1..<s2
                result.z[g].append((slope[g * plane + e] - gain[g][e] * current) / (sigma / sxx(range).squareRoot()))
            }
            // Low gain: the mean of five equal parts of [s2, steps).
            var variance = 0.0, parts = 0
            for p in 0..<5 {
                let members = (s2..<steps).filter { min(4, 5 * ($0 - s2) / max(1, steps - s2)) == p }
                guard members.count >= 2 else { continue }
                variance += sigma * sigma / sxx(members.first!..<(members.last! + 1))
                parts += 1
            }
            result.z[2].append((slope[2 * plane + e] - gain[2][e] * current) / (variance.squareRoot() / Double(parts)))
            let frames = [s1, s2 - s1, steps - s2].map(Double.init)
            for k in 0..<2 {
                // The median's standard error, 1.2533 σ/√n per stage, plus the 9-ADU bins' spread.
                let se = (pow(1.2533 * options.digitalNoise, 2) * (1 / frames[k] + 1 / frames[k + 1]) / 4 + 81.0 / 12 / 2).squareRoot()
                result.thresholdZ[k].append((thresholds[k * plane + e] - (level[k][e] + level[k + 1][e]) / 2) / se)
            }
        }
        result.chosenAgreement = Double(agree) / Double(max(1, result.entries))
        return result
    }

    public static func rms(_ values: [Double]) -> Double {
        (values.reduce(0) { $0 + $1 * $1 } / Double(max(1, values.count))).squareRoot()
    }
}
