import AGIPD
import FarmContract
import Foundation

/// The preprocess step for one XFEL run (agipd-reference §6.1): gives every train of every
/// channel and sequence a common slot, so data from different channels and sequences line up
/// and lost trains become gaps.
///
/// Fixed on purpose, compared with the original: slot = trainId − (earliest train id over all
/// channels); `slotCount` is the span (max slot + 1), not the number of trains present;
/// channels are indexed by number; cells come from `cellId` of all channels and sequences; the
/// layout is detected from the first existing file of any channel; the outlier rule handles
/// the last train (`PreprocessTrainRules`); a channel without files is reported, not fatal; a
/// channel whose file cannot be read (truncated, damaged) is left out with a warning naming the
/// file, so it blocks only its own channel.
/// 2017 files: train ids from `header/trainId`, frame counts from `INDEX/…/{first,last,status}`;
/// the original's "ignore the first 2 trains for alignment" is not reproduced.
public struct Preprocess {
    public var inputDir: String
    /// The run number (the method `run()` executes the step).
    public var runNumber: Int
    public var channels: [Int]
    public var detectorString: String
    public var interleaved: Bool
    /// Written into the result's `software` field.
    public var software: String = "calfarm"

    public init(inputDir: String, run: Int, channels: [Int], detectorString: String, interleaved: Bool = false) {
        self.inputDir = inputDir
        self.runNumber = run
        self.channels = channels
        self.detectorString = detectorString
        self.interleaved = interleaved
    }

    /// `<inputDir>/raw/rNNNN`.
    public var runDirectory: String { "\(inputDir)/raw/\(ProductPaths.runTag(runNumber))" }

    public func run() throws -> PreprocessResult {
        guard !channels.isEmpty else {
            throw CalibrationError.invalidArgument(name: "channels", reason: "no channel requested for run \(runNumber)")
        }
        let files = try sequenceFiles()
        var warnings: [String] = []
        var missing: [Int] = []
        for channel in channels.sorted() where files[channel] == nil {
            missing.append(channel)
            warnings.append("channel \(channel): no raw files \(ProductPaths.rawFileName(run: runNumber, channel: channel, sequence: 0).replacingOccurrences(of: "S00000", with: "S*")) in \(runDirectory)")
        }
        guard !files.isEmpty else {
            throw CalibrationError.missingInput(path: runDirectory,
                                               what: "raw files of run \(runNumber) for any of channels \(channels.sorted())")
        }
        // Detector and layout from the first channel whose first file reads; a channel whose
        // files do not is left out below like any other unreadable channel.
        var detectorString = self.detectorString
        var layout: XFELLayoutVersion?
        var firstFailure: Error?
        for channel in files.keys.sorted() {
            guard let file = files[channel]?.first else { continue }
            do {
                if detectorString.isEmpty { detectorString = try Self.discoverDetector(in: file.path) }
                layout = try PreprocessSequenceIndex.is2017Layout(
                    path: file.path, source: XFELSource(detectorString: detectorString, channel: channel)) ? .y2017 : .y2018
                break
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        guard let layout else { throw firstFailure! }

        // Read every file's INDEX; a channel with an unreadable file is left out.
        var indices: [Int: [PreprocessSequenceIndex]] = [:]
        for (channel, list) in files.sorted(by: { $0.key < $1.key }) {
            let source = XFELSource(detectorString: detectorString, channel: channel)
            do {
                indices[channel] = try list.map {
                    try PreprocessSequenceIndex.read(path: $0.path, fileName: $0.name, sequence: $0.sequence,
                                                     source: source, layout: layout)
                }
            } catch {
                missing.append(channel)
                warnings.append("channel \(channel): left out, a raw file cannot be read: \(error)")
                firstFailure = firstFailure ?? error
            }
        }
        // No channel readable: the run fails with the first file's error.
        guard !indices.isEmpty else { throw firstFailure! }

        // Per channel: rows with data, outliers, non-increasing ids.
        var perChannel: [Int: PreprocessChannelTrains] = [:]
        for channel in indices.keys.sorted() {
            let trains = PreprocessChannelTrains(channel: channel, files: indices[channel]!, warnings: &warnings)
            if trains.keptIds.isEmpty {
                missing.append(channel)
                warnings.append("channel \(channel): no train with data in \(indices[channel]!.map(\.fileName).joined(separator: ", "))")
            } else {
                perChannel[channel] = trains
            }
        }
        guard let start = perChannel.values.compactMap({ $0.keptIds.first }).min() else {
            throw CalibrationError.missingInput(path: runDirectory,
                                               what: "trains with data in run \(runNumber) for any of channels \(channels.sorted())")
        }

        var resultChannels: [PreprocessResult.Channel] = []
        var maxSlot = 0
        for channel in perChannel.keys.sorted() {
            let result = perChannel[channel]!.result(start: start)
            maxSlot = max(maxSlot, result.sequences.flatMap(\.slots).max() ?? 0)
            resultChannels.append(result)
        }
        let slotCount = maxSlot + 1

        let maxCell = perChannel.keys.compactMap { channel in indices[channel]!.compactMap(\.maxCellId).max() }.max() ?? 0
        var cells = maxCell + 1
        if interleaved { cells = (cells + 1) / 2 }

        warnings += PreprocessSanity.check(files: indices.filter { perChannel[$0.key] != nil },
                                           channels: perChannel, slotCount: slotCount)

        return PreprocessResult(
            software: software, run: runNumber, layout: layout, detectorString: detectorString, interleaved: interleaved,
            cells: cells, slotCount: slotCount, firstTrainId: start, channels: resultChannels,
            missingChannels: missing.sorted(), warnings: warnings)
    }

    /// The one AGIPD detector a raw file names (when none was configured or found at plan time).
    static func discoverDetector(in path: String) throws -> String {
        let file = try PreprocessSequenceIndex.open(path)
        defer { try? file.close() }
        let inventory = try PreprocessSequenceIndex.mapping(path) { try XFELSourceInventory.read(file.root) }
        guard inventory.agipd.count == 1, let detector = inventory.agipd.keys.first else {
            let found = inventory.agipd.keys.sorted() + inventory.others
            throw CalibrationError.badInput(path: path, reason: inventory.agipd.isEmpty
                ? "no AGIPD source found (sources: \(found.isEmpty ? "none" : found.joined(separator: ", ")))"
                : "several AGIPD detectors: \(found.joined(separator: ", ")); set general.detector_string")
        }
        return detector
    }

    // MARK: Files

    struct SequenceFile {
        var sequence: Int
        var name: String
        var path: String
    }

    /// The requested channels' files of this run, sorted by sequence; channels without files are absent.
    func sequenceFiles() throws -> [Int: [SequenceFile]] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CalibrationError.missingInput(path: runDirectory, what: "raw run directory of run \(runNumber)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: runDirectory)
        } catch {
            throw CalibrationError.badInput(path: runDirectory, reason: "cannot list: \(error.localizedDescription)")
        }
        let wanted = Set(channels)
        var files: [Int: [SequenceFile]] = [:]
        for name in names {
            guard let parsed = ProductPaths.parseRawFileName(name), parsed.run == runNumber, wanted.contains(parsed.channel)
            else { continue }
            files[parsed.channel, default: []].append(
                SequenceFile(sequence: parsed.sequence, name: name, path: "\(runDirectory)/\(name)"))
        }
        return files.mapValues { $0.sorted { $0.sequence < $1.sequence } }
    }
}
