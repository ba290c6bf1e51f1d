import AGIPD
import FarmContract
import Foundation
import HDF5

/// Writes one module's CFEL lab runs (dark, xray or drspc) in the lab's layout
/// (agipd-reference §5.2): `<input>/<temperature>/<measurement>[/<spec>]/<module>_<position>_…_<run:05>_part<part:05>.nxs`,
/// each part `entry/instrument/detector/data` (frames, 128, 512) int16 in AGIPD orientation with
/// analog and digital interleaved, `sequence_number` (1-based across the run, in the chosen
/// integer type) and `collection/frame_numbers` = [frames of the run]. Plus a truth file.
///
/// The pixel values are those of the XFEL simulation of the same measurement for channel 0
/// (its truth, noise and streams), turned into AGIPD orientation, so one truth model serves both
/// facilities. Faults: whole trains lost, single frames lost (a lost analog or digital frame
/// leaves its sample incomplete); part boundaries fall on odd frames, so every boundary splits
/// an analog/digital pair between two files.
public struct CFELSimulation: Sendable {
    public enum SequenceType: String, Sendable, CaseIterable { case int32, uint32, int64 }

    public struct Options: Sendable {
        public var measurement: FarmContract.Measurement = .dark
        public var module = "M304"
        public var position = "m3"
        public var temperature = "temperature_m20C"
        /// Run numbers in the measurement's order.
        public var runs: [Int] = [1, 2, 3]
        /// Run names written into the file names; nil: the measurement's defaults (dark hg, mg,
        /// lg; drspc r1…r8; xray none).
        public var runNames: [String]?
        /// Parts per run; 0 writes the fallback name without `_partNNNNN` (one file).
        public var parts = 2
        public var cells = 4
        public var trains = 10
        public var seed: UInt64 = 1
        /// The measurement's spec in names: dark tint, xray element (nil: none).
        public var spec: String?
        /// Train indices (0-based) lost in every run: none of their frames is written.
        public var lostTrains: [Int] = []
        /// Frames lost in every run, as 1-based sequence numbers.
        public var lostFrames: [Int] = []
        public var sequenceType: SequenceType = .uint32
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    public static func defaultRunNames(_ measurement: FarmContract.Measurement) -> [String] {
        switch measurement {
        case .dark: ["hg", "mg", "lg"]
        case .drspc: (1...8).map { "r\($0)" }
        case .xray, .drscs: []
        }
    }

    public static func truthPath(inputDir: String) -> String { "\(inputDir)/truth.h5" }

    var runNames: [String] { options.runNames ?? Self.defaultRunNames(options.measurement) }

    /// The measurement's spec in names: the option, else dark `tint150ns`, xray the element.
    var spec: String? {
        options.spec ?? [FarmContract.Measurement.dark: "tint150ns", .xray: "Cu"][options.measurement]
    }

    public var layout: CFELRawLayout {
        CFELRawLayout(inputDir: "", temperature: options.temperature, measurement: options.measurement,
                      module: options.module, spec: spec)
    }

    public var description: String {
        let o = options
        var lines = ["simulated CFEL \(o.measurement.rawValue): module \(o.module) at \(o.position), \(o.temperature), runs "
                     + o.runs.map(String.init).joined(separator: ", ")
                     + (runNames.isEmpty ? "" : " named " + runNames.joined(separator: ", ")),
                     "\(o.trains) trains × \(o.cells) cells, " + (o.parts == 0 ? "one file per run (no parts)" : "\(o.parts) part(s) per run")
                     + ", sequence numbers \(o.sequenceType.rawValue), seed \(o.seed)"]
        if !o.lostTrains.isEmpty { lines.append("lost trains: \(o.lostTrains.sorted())") }
        if !o.lostFrames.isEmpty { lines.append("lost frames (sequence numbers): \(o.lostFrames.sorted())") }
        return lines.joined(separator: "\n")
    }

    public func validate() throws {
        let o = options
        func bad(_ name: String, _ reason: String) -> SimulationError { .invalidOption(name: name, reason: reason) }
        guard [.dark, .xray, .drspc].contains(o.measurement) else { throw bad("type", "CFEL simulation writes dark, xray or drspc") }
        let needed = MeasurementCatalog.description(of: o.measurement).runCount(1)
        let more = MeasurementCatalog.description(of: o.measurement).acceptsMoreRuns
        guard o.runs.count == needed || (more && o.runs.count > needed), Set(o.runs).count == o.runs.count,
              o.runs.allSatisfy({ (0...99_999).contains($0) }) else {
            throw bad("runs", "\(o.measurement.rawValue) needs \(needed)\(more ? " or more" : "") distinct runs within 0…99999, got \(o.runs)")
        }
        guard runNames.isEmpty || runNames.count == o.runs.count else {
            throw bad("run-names", "need one name per run (\(o.runs.count)), got \(runNames)")
        }
        guard o.position.first == "m", Int(o.position.dropFirst()) != nil else { throw bad("position", "expected m1…m4, got \(o.position)") }
        guard !o.module.isEmpty, !o.module.contains("/"), !o.module.contains("_") else { throw bad("module", "expected a name like M304") }
        guard o.trains >= 1, (1...352).contains(o.cells), (0...(2 * o.cells * o.trains)).contains(o.parts) else {
            throw bad("trains", "need trains ≥ 1, cells within 1…352 and parts within 0…frames")
        }
        if let wrong = o.lostTrains.first(where: { !(0..<o.trains).contains($0) }) {
            throw bad("lose-trains", "train index \(wrong) is outside 0..<\(o.trains)")
        }
        if let wrong = o.lostFrames.first(where: { !(1...(2 * o.cells * o.trains)).contains($0) }) {
            throw bad("lose-frames", "sequence number \(wrong) is outside 1…\(2 * o.cells * o.trains)")
        }
    }

    /// Writes every part of every run and the truth file; returns the truth path.
    @discardableResult
    public func write(to inputDir: String) throws -> String {
        try validate()
        let o = options
        var layout = self.layout
        layout.inputDir = inputDir
        try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        let truthPath = Self.truthPath(inputDir: inputDir)
        let writer = CFELPartWriter(options: o, layout: layout, runNames: runNames)
        switch o.measurement {
        case .dark:
            var xfel = XFELDarkSimulation.Options()
            (xfel.runs, xfel.channels, xfel.trains, xfel.cells, xfel.seed) = (o.runs, [0], o.trains, o.cells, o.seed)
            let model = TruthModel(seed: o.seed)
            let synthesizer = FrameSynthesizer(cells: o.cells, interleaved: false, digitalNoise: xfel.digitalNoise,
                                               normals: NormalTable(seed: o.seed))
            let truth = try TruthFileWriter(path: truthPath, options: xfel, model: model)
            try truth.beginChannel(0)
            for (stage, run) in o.runs.enumerated() {
                try truth.writeStage(stage)
                synthesizer.load(truth: model, channel: 0, stage: stage)
                try writer.writeRun(k: stage, run: run, synthesizer: synthesizer, streamTag: 0x4652_414D)
            }
            try truth.finish()
        case .xray:
            var xfel = XFELXraySimulation.Options()
            (xfel.runs, xfel.channels, xfel.trains, xfel.cells, xfel.seed) = (o.runs, [0], o.trains, o.cells, o.seed)
            xfel.element = spec ?? "Cu"
            let simulation = XFELXraySimulation(options: xfel)
            let tables = XrayTruthTables(simulation: simulation, channel: 0)
            let synthesizer = XraySynthesizer(tables: tables, shuffle: false, seed: o.seed, normals: NormalTable(seed: o.seed))
            for (k, run) in o.runs.enumerated() {
                try writer.writeRun(k: k, run: run, synthesizer: synthesizer, streamTag: 0x5852_4654)
            }
            _ = try simulation.writeTruth(truthPath)
        case .drspc:
            var xfel = XFELDrspcSimulation.Options()
            (xfel.runs, xfel.channels, xfel.trains, xfel.cells, xfel.seed) = (o.runs, [0], o.trains, o.cells, o.seed)
            let simulation = XFELDrspcSimulation(options: xfel)
            let tables = DrspcTruthTables(simulation: simulation, channel: 0)
            let normals = NormalTable(seed: o.seed)
            for (k, run) in o.runs.enumerated() {
                let synthesizer = DrspcSynthesizer(tables: tables, run: k, shuffle: false, seed: o.seed, normals: normals)
                try writer.writeRun(k: k, run: run, synthesizer: synthesizer, streamTag: 0x5350_4352)
            }
            _ = try simulation.writeTruth(truthPath)
        case .drscs:
            throw SimulationError.invalidOption(name: "type", reason: "drscs is not simulated yet")
        }
        // The truth is channel 00's; the joined CFEL file names its group after the module.
        let file = try File.open(truthPath, mode: .readWrite)
        try file.root.setAttribute("module", o.module)
        try file.root.setAttribute("facility", "cfel")
        try file.close()
        return truthPath
    }
}

/// Turns trains of a `TrainSynthesizer` (XFEL orientation, channel 0) into CFEL parts.
struct CFELPartWriter {
    let options: CFELSimulation.Options
    let layout: CFELRawLayout
    let runNames: [String]

    func writeRun(k: Int, run: Int, synthesizer: some TrainSynthesizer, streamTag: UInt64) throws {
        let o = options
        let perTrain = 2 * o.cells
        let total = perTrain * o.trains
        let lostTrains = Set(o.lostTrains), lostFrames = Set(o.lostFrames)
        let kept = (1...total).filter { !lostFrames.contains($0) && !lostTrains.contains(($0 - 1) / perTrain) }
        // Each part boundary splits an analog/digital pair: the part ends on an analog frame
        // (odd sequence number) whose digital frame opens the next part.
        let parts = max(o.parts, 1)
        var bounds = [0]
        for p in 1..<parts {
            var b = max(kept.count * p / parts, bounds.last! + 1)
            while b < kept.count, !(kept[b - 1] % 2 == 1 && kept[b] == kept[b - 1] + 1) { b += 1 }
            bounds.append(min(b, kept.count))
        }
        bounds.append(kept.count)
        let pixel = Self.agipdIndexOfXFEL
        let pixels = ModuleGeometry.pixels
        var agipd = [Int16](repeating: 0, count: pixels)
        for p in 0..<parts {
            let numbers = Array(kept[min(bounds[p], kept.count)..<max(min(bounds[p], kept.count), bounds[p + 1])])
            let name = layout.fileName(position: o.position, runName: runNames.isEmpty ? "" : runNames[k], run: run,
                                       part: o.parts == 0 ? nil : p)
            let file = try File.create(layout.directory + "/" + name)
            let detector = try file.root.createGroup("entry/instrument/detector")
            let data = try detector.createDataset("data", of: Int16.self, shape: [numbers.count, ModuleGeometry.rows, ModuleGeometry.columns])
            switch o.sequenceType {
            case .int32: try detector.write("sequence_number", numbers.map { Int32($0) }, shape: [numbers.count])
            case .uint32: try detector.write("sequence_number", numbers.map { UInt32($0) }, shape: [numbers.count])
            case .int64: try detector.write("sequence_number", numbers.map { Int64($0) }, shape: [numbers.count])
            }
            try detector.write("collection/frame_numbers", [Int64(total)], shape: [1])
            try detector.write("collection/total_loss_frames", [Int64(total - kept.count)], shape: [1])
            var train = -1
            var frameOfCell: [Int] = []
            for (row, number) in numbers.enumerated() {
                let frame = number - 1
                if frame / perTrain != train {
                    train = frame / perTrain
                    synthesizer.synthesizeTrain(index: train, streamKey: SplitMix64.key(o.seed, streamTag, 0, UInt64(k), UInt64(train)))
                    frameOfCell = [Int](repeating: 0, count: o.cells)
                    for (index, cell) in synthesizer.cellIds(train: train).enumerated() { frameOfCell[Int(cell)] = index }
                }
                // The synthesizer's frame holding this cell, and its plane (0 analog, 1 digital).
                let cell = (frame % perTrain) / 2, plane = frame % 2
                let source = frameOfCell[cell]
                let base = (source * 2 + plane) * pixels
                synthesizer.frames.withUnsafeBufferPointer { frames in
                    if synthesizer.framesInAGIPDOrder {
                        agipd.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: frames[base..<(base + pixels)]))) }
                    } else {
                        for i in 0..<pixels { agipd[Int(pixel[i])] = Int16(frames[base + i]) }
                    }
                }
                try data.write(agipd, selection: Hyperslab(start: [row, 0, 0], count: [1, ModuleGeometry.rows, ModuleGeometry.columns]))
            }
            try file.close()
        }
    }

    /// For XFEL element i = x·128 + y of a wing-1 channel, its AGIPD element r·512 + c.
    static let agipdIndexOfXFEL: [Int32] = {
        var table = [Int32](repeating: 0, count: ModuleGeometry.pixels)
        for x in 0..<512 {
            for y in 0..<128 {
                let (r, c) = SimulatorOrientation.agipd(x: x, y: y, wing1: true)
                table[x * 128 + y] = Int32(r * 512 + c)
            }
        }
        return table
    }()
}
