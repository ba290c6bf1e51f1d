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
///
/// CFEL (one module): a single file `<module>_<meas>_joined_constants.h5` whose group is the
/// module (`M304/offset`, …), AGIPD orientation only (the module is not part of an XFEL detector).
public struct Join: Sendable {
    public var measurement: FarmContract.Measurement
    public var runs: [Int]
    /// The units to join: XFEL channels, or the CFEL module.
    public var units: [DetectorUnit]
    /// ASIC numbers 1…16 to join.
    public var asics: [Int]
    public var provenance: Provenance
    /// Where the products are; CFEL paths (``ProductPaths/cfel``) join one module file.
    public var paths: ProductPaths
    /// Joins the merge products (drscs: the best current per pixel) instead of the process products.
    public var joinsMergedProducts = false
    /// k of the dark bad-pixel mask (`dark.mask_sigma`, ``DarkBadPixelMask``).
    public var maskSigma = DarkBadPixelMask.defaultSigma
    /// The one XFEL file this unit writes while another unit writes the other at the same time
    /// (the controller plans `join` and `join.xfel`); nil: both. CFEL: always the module file.
    public var only: JobSpec.JoinedFile?

    public init(outputDir: String, measurement: FarmContract.Measurement = .dark, runs: [Int], channels: [Int],
                asics: [Int] = ModuleGeometry.asicNumbers, provenance: Provenance) {
        self.measurement = measurement; self.runs = runs
        self.units = channels.map(DetectorUnit.channel); self.asics = asics; self.provenance = provenance
        paths = ProductPaths(inputDir: "", outputDir: outputDir, measurement: measurement)
    }

    /// Joins the CFEL module of `paths`.
    public init(paths: ProductPaths, runs: [Int], asics: [Int], provenance: Provenance) {
        self.measurement = paths.measurement; self.runs = runs; self.asics = asics; self.provenance = provenance
        self.paths = paths
        units = paths.module.map { [$0] } ?? []
    }

    /// The AGIPD-orientation file (CFEL: the module file); nil when this unit writes only the XFEL file.
    public var agipdOutputPath: String? {
        paths.cfel == nil && only == .xfel ? nil : paths.joinedModule(runs: runs) ?? paths.joinedAGIPD(runs: runs)
    }
    /// The XFEL-orientation file; nil at CFEL and when this unit writes only the AGIPD file.
    public var xfelOutputPath: String? { paths.cfel == nil && only != .agipd ? paths.joinedXFEL(runs: runs) : nil }

    /// The files this unit writes, AGIPD orientation first.
    public var outputPaths: [String] { [agipdOutputPath, xfelOutputPath].compactMap { $0 } }

    /// Joins and writes the files.
    /// - Returns: the files written (``outputPaths``); `missing` lists per channel the requested ASICs without a
    ///   process product; metrics `channels`, `asicsJoined`, `asicsMissing`, `seconds`.
    /// - Throws: `CalibrationError` if no product exists at all or a product disagrees with the
    ///   first one in keys, shapes or types (naming the file and key).
    public func run() throws -> StepReport {
        try StepReport.timed(output: outputPaths[0]) { try join() }
    }

    private func join() throws -> StepReport {
        for number in asics where ASIC(number) == nil {
            throw CalibrationError.invalidArgument(name: "asics", reason: "ASIC \(number) is not in 1…16")
        }
        let requested = Array(Set(asics)).sorted().compactMap(ASIC.init)
        var report = StepReport()
        var found: [(unit: DetectorUnit, products: [ASIC: String])] = []
        for unit in Array(Set(units)).sorted(by: { ($0.channel ?? -1, $0.description) < ($1.channel ?? -1, $1.description) }) {
            var products: [ASIC: String] = [:]
            for asic in requested {
                let path = joinsMergedProducts ? paths.merged(runs: runs, unit: unit, asic: asic.number)
                    : paths.processed(runs: runs, unit: unit, asic: asic.number)
                if FileManager.default.fileExists(atPath: path) { products[asic] = path }
            }
            let absent = requested.filter { products[$0] == nil }.map(\.number)
            let step = joinsMergedProducts ? "merge" : "process"
            if !absent.isEmpty {
                report.missing.append(JobResult.Missing(
                    unit: unit, asics: absent,
                    reason: products.isEmpty ? "no \(step) product for any requested ASIC; \(unit) left out"
                                             : "no \(step) product; constants 0/NaN and pixel_mask 1 there"))
            }
            if !products.isEmpty { found.append((unit, products)) }
        }
        guard let firstProduct = found.first?.products.sorted(by: { $0.key < $1.key }).first?.value else {
            throw CalibrationError.missingInput(path: "\(paths.runsDir(runs: runs))/\(joinsMergedProducts ? "merge" : "process")",
                                               what: "\(joinsMergedProducts ? "merge" : "process") products for \(units.map(\.description).sorted().joined(separator: ", ")) ASICs \(asics.sorted())")
        }
        let keys = try JoinKey.keys(of: firstProduct)
        let expectedRuns = runs.map(ProductPaths.runTag)
        func writeUnits(agipd: String?, xfel: String?) throws {
            let agipdFile = try agipd.map { try File.create($0) }
            let xfelFile = try xfel.map { try File.create($0) }
            let scratch = JoinScratch()
            for (unit, products) in found {
                var channel = JoinChannel(unit: unit, products: products, keys: keys, expectedRuns: expectedRuns,
                                          provenance: provenance, scratch: scratch)
                channel.maskSigma = maskSigma
                try channel.write(agipd: agipdFile?.root, xfel: xfelFile?.root)
            }
            try agipdFile?.close()
            try xfelFile?.close()
        }
        /// A file this unit writes is staged and renamed into place on its own (``StagedProduct``).
        func staged(_ path: String?, _ body: (String?) throws -> Void) throws {
            if let path { try StagedProduct.write(to: path) { try body($0) } } else { try body(nil) }
        }
        try staged(agipdOutputPath) { agipd in try staged(xfelOutputPath) { xfel in try writeUnits(agipd: agipd, xfel: xfel) } }
        report.outputs = outputPaths
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

/// Reused memory for a batch of planes of the largest element type: the module in both
/// orientations and the ASIC blocks read from the products.
final class JoinScratch {
    /// Bytes of one module-sized batch (16 MiB: 32 planes of 8-byte values).
    static let batchBytes = 16 << 20
    let module: UnsafeMutableRawBufferPointer
    let xfelModule: UnsafeMutableRawBufferPointer
    let block: UnsafeMutableRawBufferPointer

    init() {
        module = .allocate(byteCount: Self.batchBytes, alignment: 64)
        xfelModule = .allocate(byteCount: Self.batchBytes, alignment: 64)
        block = .allocate(byteCount: Self.batchBytes / ModuleGeometry.asicCount, alignment: 64)
    }

    /// Planes per batch for elements of `elementSize` bytes along an axis of `inner` planes.
    func batchPlanes(elementSize: Int, inner: Int) -> Int {
        max(1, min(inner, Self.batchBytes / (elementSize * ModuleGeometry.pixels)))
    }

    deinit { module.deallocate(); xfelModule.deallocate(); block.deallocate() }
}
