import AGIPD
import FarmContract
import Foundation
import HDF5

/// Writes one unit's group into the joined files: every key placed ASIC by ASIC (AGIPD block at
/// its AGIPD window; for an XFEL channel also the converted block at its XFEL window), then the
/// missing-ASIC record and the collection. Each ASIC product is read once per key, a batch of
/// planes at a time, into reused memory.
struct JoinChannel {
    let unit: DetectorUnit
    let products: [ASIC: String]
    let keys: [JoinKey]
    let expectedRuns: [String]
    let provenance: Provenance
    let scratch: JoinScratch
    /// k of the dark bad-pixel mask's robust bounds (`dark.mask_sigma`).
    var maskSigma = DarkBadPixelMask.defaultSigma

    /// The XFEL wing of a channel; nil for a CFEL module (no XFEL-orientation file).
    var wing: Wing? { unit.channel.map(Wing.init(channel:)) }

    /// `channel03` at XFEL, the module name (`M304`) at CFEL.
    var groupName: String {
        switch unit {
        case .channel(let channel): "channel\(ProductPaths.pad(channel, 2))"
        case .module(let module): module
        }
    }

    /// Writes the unit's group into either file or both (a nil group: that file is not written here).
    func write(agipd: Group?, xfel: Group?) throws {
        let agipdGroup = try agipd.map { try $0.createGroup(groupName) }
        let xfelGroup = try xfel.map { try $0.createGroup(groupName) }
        var files: [ASIC: File] = [:]
        defer { files.values.forEach { try? $0.close() } }
        for (asic, path) in products.sorted(by: { $0.key < $1.key }) {
            let file = try File.open(path)
            files[asic] = file
            let runNumbers = try file.root.group(ProductCollection.groupName).readStrings("run_number")
            guard runNumbers == expectedRuns else {
                throw CalibrationError.badInput(path: path, reason: "collection/run_number is \(runNumbers), expected \(expectedRuns)")
            }
        }
        for key in keys {
            switch key.typeName {
            case Int64.hdf5TypeName: try join(key, fill: Int64(0), files, agipdGroup, xfelGroup)
            case UInt64.hdf5TypeName: try join(key, fill: UInt64(0), files, agipdGroup, xfelGroup)
            case Int32.hdf5TypeName: try join(key, fill: Int32(0), files, agipdGroup, xfelGroup)
            case UInt32.hdf5TypeName: try join(key, fill: UInt32(0), files, agipdGroup, xfelGroup)
            case Int16.hdf5TypeName: try join(key, fill: Int16(0), files, agipdGroup, xfelGroup)
            case UInt16.hdf5TypeName: try join(key, fill: UInt16(0), files, agipdGroup, xfelGroup)
            case UInt8.hdf5TypeName: try join(key, fill: UInt8(0), files, agipdGroup, xfelGroup)
            case Double.hdf5TypeName: try join(key, fill: Double.nan, files, agipdGroup, xfelGroup)
            case Float.hdf5TypeName: try join(key, fill: Float.nan, files, agipdGroup, xfelGroup)
            default:
                throw CalibrationError.badInput(path: products.values.sorted()[0], reason: "dataset \(key.name) has type \(key.typeName), which join does not handle")
            }
        }
        try writeRecord(agipdGroup, xfelGroup)
        try writeBadPixelMask(agipdGroup, xfelGroup)
        try writeCollection(files, agipdGroup, xfelGroup)
    }

    /// Dark constants: `bad_pixel_mask` (cells, 128, 512) uint8 from the module just written
    /// (``DarkBadPixelMask``), in both orientations, read back one gain stage at a time (each a
    /// contiguous range of the joined file). Other measurements have none.
    private func writeBadPixelMask(_ agipdGroup: Group?, _ xfelGroup: Group?) throws {
        let needed = [DarkConstants.offsetName, DarkConstants.gainlevelMeanName, DarkConstants.stddevName,
                      DarkConstants.thresholdName, DarkConstants.frameCountName]
        guard Set(needed).isSubset(of: keys.map(\.name)), let stages = keys.first(where: { $0.name == DarkConstants.offsetName }),
              stages.prefix.count == 2, stages.prefix[0] == DarkConstants.stages else { return }
        let cells = stages.prefix[1]
        // The rules are per pixel and the bounds statistics of the whole module, so the mask of
        // the XFEL file can be computed in its own orientation when this unit writes only that file.
        guard let source = agipdGroup ?? xfelGroup else { return }
        let rows = agipdGroup == nil ? ModuleGeometry.columns : ModuleGeometry.rows
        let columns = agipdGroup == nil ? ModuleGeometry.rows : ModuleGeometry.columns
        func read<T: HDF5Scalar>(_ name: String, _ type: T.Type, stages: Range<Int>, cells batch: Range<Int>) throws -> [T] {
            try source.dataset(name).read(T.self, selection: Hyperslab(start: [stages.lowerBound, batch.lowerBound, 0, 0],
                                                                       count: [stages.count, batch.count, rows, columns]))
        }
        let all = 0..<cells
        let mask = try DarkBadPixelMask.compute(cells: cells, sigma: maskSigma, stage: { s in
            DarkBadPixelMask.StagePlanes(offset: try read(DarkConstants.offsetName, Int64.self, stages: s..<(s + 1), cells: all),
                                         stddev: try read(DarkConstants.stddevName, Double.self, stages: s..<(s + 1), cells: all),
                                         frameCount: try read(DarkConstants.frameCountName, UInt32.self, stages: s..<(s + 1), cells: all))
        }, ordering: { batch in
            DarkBadPixelMask.OrderingPlanes(threshold: try read(DarkConstants.thresholdName, Double.self, stages: 0..<2, cells: batch),
                                            gainlevelMean: try read(DarkConstants.gainlevelMeanName, Int64.self,
                                                                    stages: 0..<DarkConstants.stages, cells: batch))
        })
        try source.write("bad_pixel_mask", mask, shape: [cells, rows, columns])
        // Both files in one unit: the AGIPD mask (just written) turned for the XFEL file.
        guard agipdGroup != nil, let xfelGroup, let wing else { return }
        var xfel = [UInt8](repeating: 0, count: mask.count)
        mask.withUnsafeBufferPointer { source in
            xfel.withUnsafeMutableBufferPointer { target in
                for cell in 0..<cells {
                    let range = (cell * ModuleGeometry.pixels)..<((cell + 1) * ModuleGeometry.pixels)
                    Orientation.moduleToXFEL(UnsafeBufferPointer(rebasing: source[range]),
                                             into: UnsafeMutableBufferPointer(rebasing: target[range]), wing: wing)
                }
            }
        }
        try xfelGroup.write("bad_pixel_mask", xfel, shape: [cells, columns, rows])
    }

    /// One key of the module, a batch of planes at a time: each ASIC's planes read straight from
    /// its product, placed at their AGIPD window of the batch, and the batch written as one
    /// contiguous range of the joined file (then turned and written to the XFEL file). Writing
    /// per ASIC instead made libhdf5 read back and rewrite its sieve buffer for every 64-column
    /// strip: that was most of join's time.
    private func join<T: HDF5Scalar>(_ key: JoinKey, fill: T, _ files: [ASIC: File], _ agipdGroup: Group?,
                                     _ xfelGroup: Group?) throws {
        let size = ModuleGeometry.asicSize, pixels = ModuleGeometry.pixels
        let moduleShape = [ModuleGeometry.rows, ModuleGeometry.columns]
        let agipdSet = try agipdGroup?.createDataset(key.name, of: T.self, shape: key.prefix + moduleShape)
        let xfelSet = try xfelGroup?.createDataset(key.name, of: T.self, shape: key.prefix + moduleShape.reversed())
        let blockShape = key.prefix + [size, size]
        var sources: [ASIC: Dataset] = [:]
        for (asic, file) in files {
            let dataset = try file.root.dataset(key.name)
            guard dataset.shape == blockShape, dataset.elementTypeName == key.typeName else {
                throw CalibrationError.badInput(path: file.path, reason: "dataset \(key.name) is \(dataset.elementTypeName) \(dataset.shape), expected \(key.typeName) \(blockShape) like the other ASICs")
            }
            sources[asic] = dataset
        }
        // Batches run along the last axis before the block (cells), one index of the outer axes at a time.
        let inner = key.prefix.last!, outerShape = Array(key.prefix.dropLast())
        let outerCount = outerShape.reduce(1, *)
        let batch = scratch.batchPlanes(elementSize: MemoryLayout<T>.stride, inner: inner)
        let module = UnsafeMutableBufferPointer(rebasing: scratch.module.bindMemory(to: T.self)[0..<(batch * pixels)])
        let xfelModule = UnsafeMutableBufferPointer(rebasing: scratch.xfelModule.bindMemory(to: T.self)[0..<(batch * pixels)])
        let block = UnsafeMutableBufferPointer(rebasing: scratch.block.bindMemory(to: T.self)[0..<(batch * size * size)])
        for outer in 0..<outerCount {
            var index: [Int] = [], rest = outer
            for extent in outerShape.reversed() { index.insert(rest % extent, at: 0); rest /= extent }
            for first in stride(from: 0, to: inner, by: batch) {
                let n = min(batch, inner - first)
                /// Planes first..<first + n at this outer index, each of shape `plane`.
                func planes(_ plane: [Int]) -> Hyperslab {
                    Hyperslab(start: index + [first] + plane.map { _ in 0 }, count: outerShape.map { _ in 1 } + [n] + plane)
                }
                for asic in ASIC.all {
                    if let source = sources[asic] {
                        try source.read(into: UnsafeMutableBufferPointer(rebasing: block[0..<(n * size * size)]),
                                        selection: planes([size, size]))
                    } else {
                        block.update(repeating: fill)
                    }
                    for plane in 0..<n {
                        asic.place(block.baseAddress! + plane * size * size, into: module.baseAddress! + plane * pixels)
                    }
                }
                try agipdSet?.write(from: UnsafeBufferPointer(rebasing: module[0..<(n * pixels)]), selection: planes(moduleShape))
                guard let xfelSet, let wing else { continue }
                for plane in 0..<n {
                    let range = (plane * pixels)..<((plane + 1) * pixels)
                    Orientation.moduleToXFEL(UnsafeBufferPointer(rebasing: module[range]),
                                             into: UnsafeMutableBufferPointer(rebasing: xfelModule[range]), wing: wing)
                }
                try xfelSet.write(from: UnsafeBufferPointer(rebasing: xfelModule[0..<(n * pixels)]), selection: planes(moduleShape.reversed()))
            }
        }
    }

    /// `asic_present` (16,) and `pixel_mask` (1 = no constants) in both orientations.
    private func writeRecord(_ agipdGroup: Group?, _ xfelGroup: Group?) throws {
        let present = ASIC.all.map { products[$0] == nil ? UInt8(0) : 1 }
        var mask = [UInt8](repeating: 1, count: ModuleGeometry.pixels)
        for asic in ASIC.all where products[asic] != nil {
            for index in asic.agipdIndices() { mask[index] = 0 }
        }
        try agipdGroup?.write("asic_present", present, shape: [ModuleGeometry.asicCount])
        try agipdGroup?.write("pixel_mask", mask, shape: [ModuleGeometry.rows, ModuleGeometry.columns])
        guard let xfelGroup, let wing else { return }
        var xfelMask = [UInt8](repeating: 1, count: ModuleGeometry.pixels)
        mask.withUnsafeBufferPointer { source in
            xfelMask.withUnsafeMutableBufferPointer { Orientation.moduleToXFEL(source, into: $0, wing: wing) }
        }
        try xfelGroup.write("asic_present", present, shape: [ModuleGeometry.asicCount])
        try xfelGroup.write("pixel_mask", xfelMask, shape: [ModuleGeometry.columns, ModuleGeometry.rows])
    }

    private func writeCollection(_ files: [ASIC: File], _ agipdGroup: Group?, _ xfelGroup: Group?) throws {
        guard let first = files.sorted(by: { $0.key < $1.key }).first?.value else { return }
        var collection = try ProductCollection.read(from: first.root)
        collection.inputFiles = products.sorted(by: { $0.key < $1.key }).map(\.value)
        collection.provenance = provenance
        collection.version = provenance.calfarmVersion
        if let agipdGroup { try collection.write(into: agipdGroup) }
        if let xfelGroup { try collection.write(into: xfelGroup) }
    }
}
