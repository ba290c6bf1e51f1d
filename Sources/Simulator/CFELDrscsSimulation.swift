import AGIPD
import FarmContract
import Foundation
import HDF5

/// A current-source scan (drscs) of one CFEL module at several currents, with a truth file.
///
/// Model, per pixel and memory cell, in units of injected charge Q = I·x (I the current's number,
/// x the scan axis: step t for t < 200, then 200 + 10·(t − 200)): high gain until Q reaches
/// `Q_hm`, medium until `Q_ml`, then low; analog = base_g + G_g·Q (so the slope per scan unit
/// is G_g·I), falling by 2500 ADU at the first switch and 2000 ADU at the second; digital =
/// level_g; Gaussian noise on both, rounded. Run k of a current injects the columns of
/// ``DrscsColumns``; other pixels read a flat dark level.
///
/// Planted failures (fractions of pixel/cells, each drawn once for all currents): `farSwitch`
/// pixels switch to low gain only at Q = 8000, beyond what the smallest current reaches (error 3
/// there); `earlySwitch` pixels leave high gain at Q = 100, after one scan step at the largest
/// current (error 5 there, two frames at the middle one); `glitch` pixels show one frame 2000 ADU
/// low at step 4 in the scan of `glitchCurrent` (an extra switch: error 2). The truth file holds
/// the model, the true switch steps and error codes per current, and the expected merge choice:
/// the currents ranked per ASIC by their failures, each entry from the first ranked current that
/// fits it (which differs from the original's configuration-order recovery).
public struct CFELDrscsSimulation: Sendable {
    public struct Options: Sendable {
        public var module = "M304"
        public var position = "m3"
        public var temperature = "temperature_m20C"
        public var currents = ["itestc20", "itestc80", "itestc150"]
        /// Four runs per current, current by current.
        public var runs: [Int] = Array(1...12)
        public var runNames = ["col15", "col26", "col37", "col48"]
        public var parts = 1
        public var cells = 2
        /// Scan steps (trains) per run.
        public var steps = 210
        public var seed: UInt64 = 1
        public var lostTrains: [Int] = []
        public var analogNoise: Double = 10
        public var digitalNoise: Double = 15
        public var farSwitch = 0.10, earlySwitch = 0.20, glitch = 0.05
        /// The current whose scan carries the glitches; nil: the middle one of `currents`.
        public var glitchCurrent: String?
        /// ASICs whose pixels carry the scan; the others read a flat level (smaller tests).
        public var asics: [Int] = Array(1...16)
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    static let qHighMedium: Float = 800, qMediumLow: Float = 3200, qFar: Float = 8000, qEarly: Float = 100
    static let firstDrop: Float = 2500, secondDrop: Float = 2000, glitchStep = 4, glitchDrop: Float = 2000

    public func validate() throws {
        let o = options
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        guard !o.currents.isEmpty, o.currents.allSatisfy({ DrscsCurrent($0) != nil }) else {
            throw bad("currents", "need currents ending in their number (e.g. itestc80), got \(o.currents)")
        }
        guard o.runs.count == 4 * o.currents.count, Set(o.runs).count == o.runs.count else {
            throw bad("runs", "drscs needs 4 distinct runs per current (\(4 * o.currents.count)), got \(o.runs)")
        }
        guard o.runNames.count == 4 else { throw bad("run-names", "need the 4 column-group run names, got \(o.runNames)") }
        guard o.steps >= 20, (1...352).contains(o.cells), o.parts >= 0 else {
            throw bad("trains", "need at least 20 scan steps and 1…352 cells")
        }
        if let wrong = o.lostTrains.first(where: { !(0..<o.steps).contains($0) }) {
            throw bad("lose-trains", "step \(wrong) is outside 0..<\(o.steps)")
        }
        guard !o.asics.isEmpty, o.asics.allSatisfy({ ASIC($0) != nil }) else { throw bad("asics", "ASICs are 1…16, got \(o.asics)") }
    }

    var glitchCurrent: String { options.glitchCurrent ?? options.currents[options.currents.count / 2] }

    /// Writes every run of every current and the truth file; returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String {
        try validate()
        let o = options
        let model = DrscsTruthModel(options: o)
        var base = CFELSimulation.Options()
        (base.measurement, base.module, base.position, base.temperature) = (.drscs, o.module, o.position, o.temperature)
        (base.parts, base.cells, base.trains, base.seed, base.lostTrains) = (o.parts, o.cells, o.steps, o.seed, o.lostTrains)
        for (index, name) in o.currents.enumerated() {
            let layout = CFELRawLayout(inputDir: inputDir, temperature: o.temperature, measurement: .drscs, module: o.module, spec: name)
            try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
            // Run names are indexed by the run's position among all currents' runs.
            let writer = CFELPartWriter(options: base, layout: layout,
                                        runNames: Array(repeating: o.runNames, count: o.currents.count).flatMap { $0 })
            let runs = DrscsCurrent.runs(ofCurrent: index, in: o.runs)
            for (k, run) in runs.enumerated() {
                let synthesizer = DrscsSynthesizer(model: model, current: DrscsCurrent(name)!.number, run: k,
                                                   glitch: name == glitchCurrent, normals: NormalTable(seed: o.seed))
                try writer.writeRun(k: 4 * index + k, run: run, synthesizer: synthesizer, streamTag: 0x4453_4353)
            }
        }
        let path = CFELSimulation.truthPath(inputDir: inputDir)
        try model.writeTruth(path, glitchCurrent: glitchCurrent)
        return path
    }
}

/// The drawn parameters of every (cell, AGIPD pixel), index cell · 65536 + r · 512 + c.
struct DrscsTruthModel: Sendable {
    let options: CFELDrscsSimulation.Options
    let gain: [[Float]]  // [stage][entry] ADU per charge unit
    let base: [[Float]]  // [stage][entry] analog at Q = 0 of the stage's line
    let level: [[Float]]  // [stage][entry] digital level
    let qHighMedium: [Float], qMediumLow: [Float]
    let glitch: [Bool]

    init(options: CFELDrscsSimulation.Options) {
        self.options = options
        let n = options.cells * ModuleGeometry.pixels
        var rng = SplitMix64(seed: SplitMix64.key(options.seed, 0x4452_5453))
        var gain = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
        var base = gain, level = gain
        var qhm = [Float](repeating: 0, count: n), qml = qhm
        var glitch = [Bool](repeating: false, count: n)
        for e in 0..<n {
            func around(_ value: Float, _ spread: Float) -> Float { value * (1 + spread * Float(2 * rng.nextUnit() - 1)) }
            let gh = around(3.75, 0.1)
            gain[0][e] = gh; gain[1][e] = gh * around(0.053, 0.05); gain[2][e] = gh * around(0.0053, 0.05)
            let roll = rng.nextUnit()
            qhm[e] = roll < options.earlySwitch ? CFELDrscsSimulation.qEarly : around(CFELDrscsSimulation.qHighMedium, 0.1)
            qml[e] = roll >= options.earlySwitch && roll < options.earlySwitch + options.farSwitch
                ? CFELDrscsSimulation.qFar : around(CFELDrscsSimulation.qMediumLow, 0.1)
            glitch[e] = rng.nextUnit() < options.glitch
            base[0][e] = around(4000, 0.05)
            // Continuity with the drops at the switches: a_m(Q_hm) = a_h(Q_hm) − 2500, etc.
            let atSwitch = base[0][e] + gain[0][e] * qhm[e] - CFELDrscsSimulation.firstDrop
            base[1][e] = atSwitch - gain[1][e] * qhm[e]
            let atSecond = base[1][e] + gain[1][e] * qml[e] - CFELDrscsSimulation.secondDrop
            base[2][e] = atSecond - gain[2][e] * qml[e]
            level[0][e] = around(5000, 0.02); level[1][e] = level[0][e] + 1500; level[2][e] = level[1][e] + 1500
        }
        (self.gain, self.base, self.level, qHighMedium, qMediumLow, self.glitch) = (gain, base, level, qhm, qml, glitch)
    }

    /// The stage of entry `e` at scan step `t` for current `current`.
    @inline(__always)
    func stage(_ e: Int, step t: Int, current: Int) -> Int {
        let q = Float(current * DrscsAxis.x(t))
        return q < qHighMedium[e] ? 0 : (q < qMediumLow[e] ? 1 : 2)
    }

    /// The first step of stages 1 and 2 (−1: not reached), and the error code the kernel must give:
    /// it sees a switch at every fall of the analog value from one present frame to the next
    /// (the true switches, and a glitch), and fits the frames between them.
    func truth(_ e: Int, current: Int, glitch glitchHere: Bool, present: [Bool]) -> (switches: [Int32], error: Int16) {
        var first: [Int32] = [-1, -1]
        let steps = options.steps
        let kept = (0..<steps).filter { present[$0] }
        for t in kept {
            let g = stage(e, step: t, current: current)
            if g > 0, first[g - 1] < 0 { first[g - 1] = Int32(t) }
        }
        var falls = first.filter { $0 > 0 && Int($0) != kept.first }.map(Int.init)
        let g = CFELDrscsSimulation.glitchStep
        if glitchHere, glitch[e], present[g], present[g - 1] { falls.append(g) }
        falls.sort()
        if falls.count > 2 { return (first, DrscsConstants.ErrorCode.tooManyStages.rawValue) }
        if falls.count < 2 { return (first, DrscsConstants.ErrorCode.tooFewStages.rawValue) }
        // Two frames per stage; the low stage needs one of its five parts with two.
        let high = kept.filter { $0 < falls[0] }.count, medium = kept.filter { $0 >= falls[0] && $0 < falls[1] }.count
        if high < 2 || medium < 2 { return (first, DrscsConstants.ErrorCode.fitFailed.rawValue) }
        let start = falls[1]
        var parts = [Int](repeating: 0, count: 5)
        for t in kept where t >= start { parts[min(4, 5 * (t - start) / max(1, steps - start))] += 1 }
        if !parts.contains(where: { $0 >= 2 }) { return (first, DrscsConstants.ErrorCode.fitFailed.rawValue) }
        return (first, DrscsConstants.ErrorCode.fitted.rawValue)
    }

    func writeTruth(_ path: String, glitchCurrent: String) throws {
        let o = options
        let n = o.cells * ModuleGeometry.pixels
        let present = (0..<o.steps).map { !o.lostTrains.contains($0) }
        let numbers = o.currents.map { DrscsCurrent($0)!.number }
        var switches = [Int32](repeating: -1, count: numbers.count * 2 * n)
        // Pixels of ASICs not simulated carry no scan: error 3 (one stage) wherever they are fitted.
        var errors = [Int16](repeating: DrscsConstants.ErrorCode.tooFewStages.rawValue, count: numbers.count * n)
        let simulated = o.asics.compactMap(ASIC.init).flatMap { $0.agipdIndices(cells: o.cells) }
        for (i, current) in numbers.enumerated() {
            for e in simulated {
                let truth = truth(e, current: current, glitch: o.currents[i] == glitchCurrent, present: present)
                switches[(i * 2) * n + e] = truth.switches[0]
                switches[(i * 2 + 1) * n + e] = truth.switches[1]
                errors[i * n + e] = truth.error
            }
        }
        // Expected merge: per ASIC, currents ranked by failures (ties in configuration order).
        var chosen = [Int16](repeating: 0, count: n)
        // What the original's merge_drscs.py would choose: recoveries in configuration order, the last one winning.
        var original = [Int16](repeating: 0, count: n)
        for asic in o.asics.compactMap(ASIC.init) {
            let entries = asic.agipdIndices(cells: o.cells)
            let failures = numbers.indices.map { i in entries.filter { errors[i * n + $0] != 0 }.count }
            let order = numbers.indices.sorted { (failures[$0], $0) < (failures[$1], $1) }
            for e in entries {
                if let pick = order.first(where: { errors[$0 * n + e] == 0 }) { chosen[e] = Int16(numbers[pick]) }
                let best = order[0]
                if errors[best * n + e] == 0 {
                    original[e] = Int16(numbers[best])
                } else {
                    for i in numbers.indices where i != best && errors[i * n + e] == 0 { original[e] = Int16(numbers[i]) }
                }
            }
        }
        let file = try File.create(path)
        let root = file.root
        let shape = [o.cells, ModuleGeometry.rows, ModuleGeometry.columns]
        for (stage, name) in ["high", "medium", "low"].enumerated() {
            try root.write("gain_\(name)", gain[stage].map(Double.init), shape: shape)
            try root.write("base_\(name)", base[stage].map(Double.init), shape: shape)
            try root.write("level_\(name)", level[stage].map(Double.init), shape: shape)
        }
        try root.write("switch_step", switches, shape: [numbers.count, 2] + shape)
        try root.write("error_code", errors, shape: [numbers.count] + shape)
        try root.write("expected_chosen_current", chosen, shape: shape)
        try root.write("original_rule_chosen_current", original, shape: shape)
        try root.setAttribute("measurement", "drscs")
        try root.setAttribute("facility", "cfel")
        try root.setAttribute("module", o.module)
        try root.setAttribute("currents", numbers.map(Int64.init))
        try root.setAttribute("runs", o.runs.map(Int64.init))
        try root.setAttribute("steps", Int64(o.steps))
        try root.setAttribute("cells", Int64(o.cells))
        try root.setAttribute("analog_noise", o.analogNoise)
        try root.setAttribute("digital_noise", o.digitalNoise)
        try root.setAttribute("lost_trains", o.lostTrains.map(Int64.init))
        try root.setAttribute("glitch_current", glitchCurrent)
        try file.close()
    }
}

/// The drscs scan axis, as the process step defines it.
enum DrscsAxis {
    static func x(_ t: Int) -> Int { t < 200 ? t : 200 + 10 * (t - 200) }
}

/// One run of one current: frames in XFEL orientation (channel 0, wing 1) for `CFELPartWriter`.
final class DrscsSynthesizer: TrainSynthesizer {
    let model: DrscsTruthModel
    let current: Int, run: Int, glitch: Bool
    let normals: [Float]
    let asics: [ASIC]
    let framesPerTrain: Int
    private(set) var frames: [UInt16]
    var framesInAGIPDOrder: Bool { true }

    init(model: DrscsTruthModel, current: Int, run: Int, glitch: Bool, normals: NormalTable) {
        self.model = model; self.current = current; self.run = run; self.glitch = glitch
        self.normals = normals.values
        asics = model.options.asics.compactMap(ASIC.init)
        framesPerTrain = model.options.cells
        frames = [UInt16](repeating: 0, count: model.options.cells * 2 * ModuleGeometry.pixels)
    }

    /// The flat frames of the pixels this run does not inject, per cell (analog then digital).
    private lazy var flat: [UInt16] = {
        let pixels = ModuleGeometry.pixels
        var frames = [UInt16](repeating: 0, count: framesPerTrain * 2 * pixels)
        for cell in 0..<framesPerTrain {
            for a in 0..<pixels {
                let target = a, e = cell * pixels + a
                frames[cell * 2 * pixels + target] = UInt16(model.base[0][e].rounded())
                frames[cell * 2 * pixels + pixels + target] = UInt16(model.level[0][e].rounded())
            }
        }
        return frames
    }()

    func synthesizeTrain(index t: Int, streamKey: UInt64) {
        var rng = SplitMix64(seed: streamKey)
        let pixels = ModuleGeometry.pixels
        let m = model
        let q = Float(current * DrscsAxis.x(t))
        let (sa, sd) = (Float(m.options.analogNoise), Float(m.options.digitalNoise))
        let glitchNow = glitch && t == CFELDrscsSimulation.glitchStep
        let flat = self.flat
        frames.withUnsafeMutableBufferPointer { out in
            flat.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            for cell in 0..<framesPerTrain {
                let analogBase = cell * 2 * pixels, digitalBase = analogBase + pixels
                for asic in asics {
                    let upper = asic.number >= 9
                    for r in asic.agipdRowStart..<(asic.agipdRowStart + ModuleGeometry.asicSize) {
                    for c in stride(from: asic.agipdColumnStart + (upper ? 3 - run : run),
                                    to: asic.agipdColumnStart + ModuleGeometry.asicSize, by: 4) {
                        let a = r * ModuleGeometry.columns + c
                        let e = cell * pixels + a
                        let target = a
                        let g = q < m.qHighMedium[e] ? 0 : (q < m.qMediumLow[e] ? 1 : 2)
                        let bits = rng.next()
                        let na = normals[Int(truncatingIfNeeded: bits & 0xFFFF)]
                        let nd = normals[Int(truncatingIfNeeded: (bits >> 16) & 0xFFFF)]
                        var analog = m.base[g][e] + m.gain[g][e] * q + sa * na
                        if glitchNow, m.glitch[e] { analog -= CFELDrscsSimulation.glitchDrop }
                        out[analogBase + target] = UInt16(max(0, min(16383, analog.rounded())))
                        out[digitalBase + target] = UInt16(max(0, min(16383, (m.level[g][e] + sd * nd).rounded())))
                    }
                    }
                }
            }
        }
    }
}
