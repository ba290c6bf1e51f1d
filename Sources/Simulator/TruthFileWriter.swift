import HDF5

/// Writes `<inputDir>/truth.h5`: per channel `channelCC/{offset,noise,gainlevel}`, each
/// (stages, cells, 128, 512) float64 in AGIPD orientation (stage = index into `runs`), and
/// root attributes describing the simulation (docs/formats.md). List attributes that would be
/// empty (no lost trains, …) are omitted: absent means none.
final class TruthFileWriter {
    static let keys = ["offset", "noise", "gainlevel"]

    private let file: File
    private let options: XFELDarkSimulation.Options
    private let model: TruthModel
    private var buffers: [[Double]]
    private var datasets: [Dataset] = []
    private var channel = 0

    init(path: String, options: XFELDarkSimulation.Options, model: TruthModel) throws {
        file = try File.create(path)
        self.options = options
        self.model = model
        buffers = [[Double]](repeating: [Double](repeating: 0, count: options.cells * 128 * 512), count: 3)
    }

    func beginChannel(_ channel: Int) throws {
        self.channel = channel
        let group = try file.root.createGroup("channel\(XFELDarkSimulation.pad(channel, 2))")
        try group.setAttribute("channel", Int64(channel))
        try group.setAttribute("wing", Int64(SimulatorOrientation.isWing1(channel) ? 1 : 2))
        try group.setAttribute("hasFiles", Int64(options.missingChannels.contains(channel) ? 0 : 1))
        datasets = try Self.keys.map {
            try group.createDataset($0, of: Double.self, shape: [options.runs.count, options.cells, 128, 512])
        }
    }

    /// Computes and writes the truth of one stage of the current channel.
    func writeStage(_ stage: Int) throws {
        let pixels = 128 * 512
        for cell in 0..<options.cells {
            let key = model.cellKey(channel: channel, stage: stage, cell: cell)
            for row in 0..<128 {
                for column in 0..<512 {
                    let v = model.values(cellKey: key, stage: stage, row: row, column: column)
                    let i = cell * pixels + row * 512 + column
                    buffers[0][i] = Double(v.offset)
                    buffers[1][i] = Double(v.noise)
                    buffers[2][i] = Double(v.gain)
                }
            }
        }
        let slab = Hyperslab(start: [stage, 0, 0, 0], count: [1, options.cells, 128, 512])
        for (dataset, buffer) in zip(datasets, buffers) {
            try buffer.withUnsafeBufferPointer { try dataset.write(from: $0, selection: slab) }
        }
    }

    func finish() throws {
        let o = options, root = file.root
        try root.setAttribute("runs", o.runs.map(Int64.init))
        try root.setAttribute("stages", XFELDarkSimulation.stageNames.prefix(o.runs.count).joined(separator: ","))
        try root.setAttribute("channels", o.channels.sorted().map(Int64.init))
        try root.setAttribute("trains", Int64(o.trains))
        try root.setAttribute("cells", Int64(o.cells))
        try root.setAttribute("sequences", Int64(o.sequences))
        try root.setAttribute("seed", o.seed)
        try root.setAttribute("firstTrainId", o.firstTrainId)
        try root.setAttribute("layout", o.layout.rawValue)
        try root.setAttribute("detectorString", o.detectorString)
        try root.setAttribute("interleaved", Int64(o.interleaved ? 1 : 0))
        try root.setAttribute("digitalNoise", o.digitalNoise)
        try root.setAttribute("lostTrainMode", o.lostTrainMode.rawValue)
        if !o.lostTrains.isEmpty {
            try root.setAttribute("lostTrains", o.lostTrains.sorted().map(Int64.init))
            try root.setAttribute("lostTrainIds", o.lostTrains.sorted().map { o.firstTrainId + UInt64($0) })
        }
        if !o.outlierTrains.isEmpty {
            try root.setAttribute("outlierTrains", o.outlierTrains.sorted().map(Int64.init))
            try root.setAttribute("outlierTrainIds", o.outlierTrains.sorted().map { o.firstTrainId + UInt64($0) + o.outlierOffset })
        }
        if !o.missingChannels.isEmpty {
            try root.setAttribute("missingChannels", o.missingChannels.sorted().map(Int64.init))
        }
        if !o.lateChannels.isEmpty {
            let late = o.lateChannels.sorted { $0.key < $1.key }
            try root.setAttribute("lateChannels", late.map { Int64($0.key) })
            try root.setAttribute("lateChannelTrains", late.map { Int64($0.value) })
        }
        try file.close()
    }
}
