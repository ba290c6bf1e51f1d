import AGIPD
import FarmContract
import Foundation
import HDF5

/// The join step (agipd-reference §6.7, fixed): assembles the per-ASIC process products of any
/// set of channels into module-sized constants, in the AGIPD orientation
/// (`<meas>_joined_constants_agipd.h5`) and in the XFEL orientation (`…_xfel.h5`).
///
/// Joined format, per channel present (`channelCC`, CC two digits):
/// | Object | AGIPD file | XFEL file | Type |
/// |---|---|---|---|
/// | `channelCC/<key>` (every per-ASIC dataset, e.g. offset) | (d0, cells, 128, 512) | (d0, cells, 512, 128) | as in the ASIC product |
/// | `channelCC/asic_present` | (16,) | (16,) | uint8, index n−1 = ASIC n, 1 = constants joined |
/// | `channelCC/pixel_mask` | (128, 512) | (512, 128) | uint8, 1 = pixel has no constants |
/// | `channelCC/collection/…` | copied from the first ASIC product; `input_files` = the ASIC products joined |
/// Where an ASIC is missing, integer keys hold 0 and float keys NaN; `pixel_mask` says which.
/// A channel without any ASIC product is left out and reported as missing.
public struct Join: Sendable {
    public var outputDir: String
    public var measurement: FarmContract.Measurement
    public var runs: [Int]
    public var channels: [Int]
    /// ASIC numbers 1…16 to join.
    public var asics: [Int]
    public var provenance: Provenance

    public init(outputDir: String, measurement: FarmContract.Measurement = .dark, runs: [Int], channels: [Int],
                asics: [Int] = ModuleGeometry.asicNumbers, provenance: Provenance) {
        self.outputDir = outputDir; self.measurement = measurement; self.runs = runs
        self.channels = channels; self.asics = asics; self.provenance = provenance
    }

    var paths: ProductPaths { ProductPaths(inputDir: "", outputDir: outputDir, measurement: measurement) }
    public var agipdOutputPath: String { paths.joinedAGIPD(runs: runs) }
    public var xfelOutputPath: String { paths.joinedXFEL(runs: runs) }

    /// Joins and writes both files.
    /// - Returns: the two products; `missing` lists per channel the requested ASICs without a
    ///   process product; metrics `channels`, `asicsJoined`, `asicsMissing`, `seconds`.
    /// - Throws: `CalibrationError` if no product exists at all or a product disagrees with the
    ///   first one in keys, shapes or types (naming the file and key).
    public func run() throws -> StepReport {
        try StepReport.timed(output: agipdOutputPath) { try join() }
    }

    private func join() throws -> StepReport {
        for number in asics where ASIC(number) == nil {
            throw CalibrationError.invalidArgument(name: "asics", reason: "ASIC \(number) is not in 1…16")
        }
        let requested = Array(Set(asics)).sorted().compactMap(ASIC.init)
        var report = StepReport()
        var found: [(channel: Int, products: [ASIC: String])] = []
        for channel in Array(Set(channels)).sorted() {
            var products: [ASIC: String] = [:]
            for asic in requested {
                let path = paths.processed(runs: runs, channel: channel, asic: asic.number)
                if FileManager.default.fileExists(atPath: path) { products[asic] = path }
            }
            let absent = requested.filter { products[$0] == nil }.map(\.number)
            if !absent.isEmpty {
                report.missing.append(JobResult.Missing(
                    channel: channel, asics: absent,
                    reason: products.isEmpty ? "no process product for any requested ASIC; channel left out"
                                             : "no process product; constants 0/NaN and pixel_mask 1 there"))
            }
            if !products.isEmpty { found.append((channel, products)) }
        }
        guard let firstProduct = found.first?.products.sorted(by: { $0.key < $1.key }).first?.value else {
            throw CalibrationError.missingInput(path: "\(paths.measurementDir)/\(ProductPaths.runsTag(runs))/process",
                                               what: "process products for channels \(channels.sorted()) ASICs \(asics.sorted())")
        }
        let keys = try JoinKey.keys(of: firstProduct)
        let expectedRuns = runs.map(ProductPaths.runTag)
        try StagedProduct.write(to: agipdOutputPath) { agipdTemporary in
            try StagedProduct.write(to: xfelOutputPath) { xfelTemporary in
                let agipdFile = try File.create(agipdTemporary)
                let xfelFile = try File.create(xfelTemporary)
                let scratch = JoinScratch(keys: keys)
                for (channel, products) in found {
                    try JoinChannel(channel: channel, products: products, keys: keys, expectedRuns: expectedRuns,
                                    provenance: provenance, scratch: scratch)
                        .write(agipd: agipdFile.root, xfel: xfelFile.root)
                }
                try agipdFile.close()
                try xfelFile.close()
            }
        }
        report.outputs = [agipdOutputPath, xfelOutputPath]
        let joined = found.map(\.products.count).reduce(0, +)
        report.metrics = ["channels": Double(found.count), "asicsJoined": Double(joined),
                          "asicsMissing": Double(report.missing.map(\.asics.count).reduce(0, +))]
        return report
    }
}

/// One per-ASIC dataset to join: its name, the shape before the 64 × 64 block, and its type.
struct JoinKey: Equatable {
    var name: String
    var prefix: [Int]
    var typeName: String

    var planes: Int { prefix.reduce(1, *) }

    /// The datasets of an ASIC product (every root dataset except `collection`), checked to
    /// end in a 64 × 64 block.
    static func keys(of path: String) throws -> [JoinKey] {
        let file = try File.open(path)
        defer { try? file.close() }
        var keys: [JoinKey] = []
        for name in try file.root.children() where name != ProductCollection.groupName {
            let dataset = try file.root.dataset(name)
            let shape = dataset.shape
            let size = ModuleGeometry.asicSize
            guard shape.count >= 3, shape.suffix(2) == [size, size] else {
                throw CalibrationError.badInput(path: path, reason: "dataset \(name) has shape \(shape), expected (…, 64, 64)")
            }
            keys.append(JoinKey(name: name, prefix: Array(shape.dropLast(2)), typeName: dataset.elementTypeName))
        }
        return keys
    }
}

/// Reused memory for one ASIC block of the largest key in both orientations.
final class JoinScratch {
    let block: UnsafeMutableRawBufferPointer
    let xfelBlock: UnsafeMutableRawBufferPointer

    init(keys: [JoinKey]) {
        let bytes = max(1, (keys.map(\.planes).max() ?? 1) * ModuleGeometry.asicPixels * 8)
        block = .allocate(byteCount: bytes, alignment: 16)
        xfelBlock = .allocate(byteCount: bytes, alignment: 16)
    }

    deinit { block.deallocate(); xfelBlock.deallocate() }
}
