import AGIPD
import FarmContract
import HDF5

/// The header reads behind `calfarm-worker inspect` for European XFEL raw files: everything
/// the controller checks before it submits (docs/guide.md, "Checks before submission").
///
/// Every file is opened and its image dataset checked; the first sequence of each run and
/// channel is read as preprocess will read it (INDEX, cells, layout), so an INDEX that
/// preprocess would refuse is refused at plan time with the same message.
public enum XFELRawInspection {
    public static func inspect(_ request: InspectionRequest) -> [InspectionReport.File] {
        var firstSequence: [Pair: Int] = [:]
        for file in request.files {
            let key = Pair(run: file.run, channel: file.channel)
            firstSequence[key] = min(firstSequence[key] ?? file.sequence, file.sequence)
        }
        // First files first: the detector one names is then taken for the later sequences of
        // its run and channel without reading their METADATA again (half of a file's cost).
        var reports = [InspectionReport.File?](repeating: nil, count: request.files.count)
        var detectorOf: [Pair: String] = [:]
        for (i, file) in request.files.enumerated() {
            let key = Pair(run: file.run, channel: file.channel)
            guard firstSequence[key] == file.sequence else { continue }
            let report = inspect(file, detectorString: request.detectorString, knownDetector: nil, full: true)
            if report.problem == nil, report.imageShape != nil {
                detectorOf[key] = request.detectorString ?? report.detectors.first
            }
            reports[i] = report
        }
        for (i, file) in request.files.enumerated() where reports[i] == nil {
            reports[i] = inspect(file, detectorString: request.detectorString,
                                 knownDetector: detectorOf[Pair(run: file.run, channel: file.channel)], full: false)
        }
        return reports.map { $0! }
    }

    private struct Pair: Hashable {
        var run: Int
        var channel: Int
    }

    /// - Parameter knownDetector: the source the run and channel's first file was read with;
    ///   when given, this file's METADATA is not read and it is checked for that source.
    static func inspect(_ request: InspectionRequest.File, detectorString: String?, knownDetector: String?,
                        full: Bool) -> InspectionReport.File {
        var report = InspectionReport.File(run: request.run, channel: request.channel, sequence: request.sequence,
                                           path: request.path)
        do {
            let file = try PreprocessSequenceIndex.open(request.path)
            defer { try? file.close() }
            let root = file.root
            if let knownDetector {
                report.detectors = [knownDetector]
            } else {
                let inventory = try PreprocessSequenceIndex.mapping(request.path) { try XFELSourceInventory.read(root) }
                report.detectors = inventory.agipd.filter { $0.value.contains(request.channel) }.keys.sorted()
                report.otherSources = inventory.others
                report.formatVersion = inventory.formatVersion
            }
            // Without a configured detector, a file is read only when it names exactly one; the
            // controller explains the other cases over all files at once.
            guard let detector = detectorString ?? (report.detectors.count == 1 ? report.detectors[0] : nil) else {
                return report
            }
            let source = XFELSource(detectorString: detector, channel: request.channel)
            guard full else {
                try PreprocessSequenceIndex.requireSource(root, source, path: request.path)
                report.imageShape = try PreprocessSequenceIndex.mapping(request.path) {
                    try PreprocessSequenceIndex.imageShape(root, source, path: request.path)
                }
                return report
            }
            // Read as preprocess reads it (source, image shape and type, INDEX), from this open file.
            let layout: XFELLayoutVersion = root.exists(source.indexLast) ? .y2017 : .y2018
            let name = String(request.path.split(separator: "/").last ?? "")
            let index = try PreprocessSequenceIndex.read(root: root, path: request.path, fileName: name,
                                                         sequence: request.sequence, source: source, layout: layout)
            let shape = index.imageShape
            report.imageShape = shape
            let interleaved = try PreprocessSequenceIndex.mapping(request.path) {
                try isInterleaved(root.dataset(source.imageData, chunkCacheBytes: DatasetOptions.smallChunkCacheBytes),
                                  shape: shape, index: index, layout: layout)
            }
            report.indexLayout = layout.rawValue
            report.interleaved = interleaved
            report.trains = index.counts.filter { $0 > 0 }.count
            report.cells = index.maxCellId.map { interleaved ? ($0 + 2) / 2 : $0 + 1 }
        } catch let error as CalibrationError {
            report.problem = error.message(about: request.path)
        } catch {
            report.problem = String(describing: error)
        }
        return report
    }

    /// Analog and digital as separate frames? Rank-3 image data has no digital plane, so yes.
    /// Otherwise the first frame decides: interleaved data never fill plane 1, so values there
    /// mean separate planes, and values in plane 0 alone mean interleaved; a frame with both
    /// planes zero (or no frame) falls back on the layout (2017 data were taken interleaved).
    static func isInterleaved(_ image: Dataset, shape: [Int], index: PreprocessSequenceIndex,
                              layout: XFELLayoutVersion) throws -> Bool {
        if shape.count == 3 { return true }
        guard let row = index.counts.firstIndex(where: { $0 > 0 }) else { return layout == .y2017 }
        let frame = try image.read(UInt16.self, selection: Hyperslab(
            start: [Int(index.firsts[row]), 0, 0, 0], count: [1, 2, ModuleGeometry.columns, ModuleGeometry.rows]))
        let half = ModuleGeometry.pixels
        let analogSet = frame[..<half].contains { $0 != 0 }, digitalSet = frame[half...].contains { $0 != 0 }
        if digitalSet { return false }
        return analogSet || layout == .y2017
    }
}
