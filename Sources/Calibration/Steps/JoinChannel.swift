import AGIPD
import FarmContract
import Foundation
import HDF5

/// Writes one unit's group into the joined files: every key placed ASIC by ASIC (AGIPD block at
/// its AGIPD window; for an XFEL channel also the converted block at its XFEL window), then the
/// missing-ASIC record and the collection. Each ASIC product is read once per key, straight into
/// reused memory.
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

    func write(agipd: Group, xfel: Group?) throws {
        let agipdGroup = try agipd.createGroup(groupName)
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
    /// (``DarkBadPixelMask``), in both orientations. Other measurements have none.
    private func writeBadPixelMask(_ agipdGroup: Group, _ xfelGroup: Group?) throws {
        let needed = [DarkConstants.offsetName, DarkConstants.gainlevelMeanName, DarkConstants.stddevName,
                      DarkConstants.thresholdName, DarkConstants.frameCountName]
        guard Set(needed).isSubset(of: keys.map(\.name)), let stages = keys.first(where: { $0.name == DarkConstants.offsetName }),
              stages.prefix.count == 2, stages.prefix[0] == DarkConstants.stages else { return }
        let cells = stages.prefix[1]
        func read<T: HDF5Scalar>(_ name: String, _ type: T.Type) throws -> [T] { try agipdGroup.dataset(name).read(T.self) }
        let mask = DarkBadPixelMask.compute(
            cells: cells, offset: try read(DarkConstants.offsetName, Int64.self),
            gainlevelMean: try read(DarkConstants.gainlevelMeanName, Int64.self), stddev: try read(DarkConstants.stddevName, Double.self),
            threshold: try read(DarkConstants.thresholdName, Double.self), frameCount: try read(DarkConstants.frameCountName, UInt32.self),
            sigma: maskSigma)
        try agipdGroup.write("bad_pixel_mask", mask, shape: [cells, ModuleGeometry.rows, ModuleGeometry.columns])
        guard let xfelGroup, let wing else { return }
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
        try xfelGroup.write("bad_pixel_mask", xfel, shape: [cells, ModuleGeometry.columns, ModuleGeometry.rows])
    }

    private func join<T: HDF5Scalar>(_ key: JoinKey, fill: T, _ files: [ASIC: File], _ agipdGroup: Group,
                                     _ xfelGroup: Group?) throws {
        let size = ModuleGeometry.asicSize
        let agipdSet = try agipdGroup.createDataset(key.name, of: T.self,
                                                    shape: key.prefix + [ModuleGeometry.rows, ModuleGeometry.columns])
        let xfelSet = try xfelGroup?.createDataset(key.name, of: T.self,
                                                   shape: key.prefix + [ModuleGeometry.columns, ModuleGeometry.rows])
        let count = key.planes * ModuleGeometry.asicPixels
        let block = UnsafeMutableBufferPointer(rebasing: scratch.block.bindMemory(to: T.self)[0..<count])
        let xfelBlock = UnsafeMutableBufferPointer(rebasing: scratch.xfelBlock.bindMemory(to: T.self)[0..<count])
        let origin = Array(repeating: 0, count: key.prefix.count)
        let blockShape = key.prefix + [size, size]
        for asic in ASIC.all {
            if let file = files[asic] {
                let dataset = try file.root.dataset(key.name)
                guard dataset.shape == blockShape, dataset.elementTypeName == key.typeName else {
                    throw CalibrationError.badInput(path: file.path, reason: "dataset \(key.name) is \(dataset.elementTypeName) \(dataset.shape), expected \(key.typeName) \(blockShape) like the other ASICs")
                }
                try dataset.read(into: block)
            } else {
                block.update(repeating: fill)
            }
            try agipdSet.write(from: UnsafeBufferPointer(block),
                               selection: Hyperslab(start: origin + [asic.agipdRowStart, asic.agipdColumnStart], count: blockShape))
            guard let xfelSet, let wing else { continue }
            for plane in 0..<key.planes {
                let offset = plane * ModuleGeometry.asicPixels
                Orientation.asicBlockToXFEL(UnsafePointer(block.baseAddress! + offset), wing: wing,
                                            into: xfelBlock.baseAddress! + offset)
            }
            try xfelSet.write(from: UnsafeBufferPointer(xfelBlock),
                              selection: Hyperslab(start: origin + [asic.xfelXStart(wing: wing), asic.xfelYStart(wing: wing)],
                                                   count: blockShape))
        }
    }

    /// `asic_present` (16,) and `pixel_mask` (1 = no constants) in both orientations.
    private func writeRecord(_ agipdGroup: Group, _ xfelGroup: Group?) throws {
        let present = ASIC.all.map { products[$0] == nil ? UInt8(0) : 1 }
        var mask = [UInt8](repeating: 1, count: ModuleGeometry.pixels)
        for asic in ASIC.all where products[asic] != nil {
            for row in asic.agipdRowStart..<(asic.agipdRowStart + ModuleGeometry.asicSize) {
                let start = row * ModuleGeometry.columns + asic.agipdColumnStart
                for index in start..<(start + ModuleGeometry.asicSize) { mask[index] = 0 }
            }
        }
        try agipdGroup.write("asic_present", present, shape: [ModuleGeometry.asicCount])
        try agipdGroup.write("pixel_mask", mask, shape: [ModuleGeometry.rows, ModuleGeometry.columns])
        guard let xfelGroup, let wing else { return }
        var xfelMask = [UInt8](repeating: 1, count: ModuleGeometry.pixels)
        mask.withUnsafeBufferPointer { source in
            xfelMask.withUnsafeMutableBufferPointer { Orientation.moduleToXFEL(source, into: $0, wing: wing) }
        }
        try xfelGroup.write("asic_present", present, shape: [ModuleGeometry.asicCount])
        try xfelGroup.write("pixel_mask", xfelMask, shape: [ModuleGeometry.columns, ModuleGeometry.rows])
    }

    private func writeCollection(_ files: [ASIC: File], _ agipdGroup: Group, _ xfelGroup: Group?) throws {
        guard let first = files.sorted(by: { $0.key < $1.key }).first?.value else { return }
        var collection = try ProductCollection.read(from: first.root)
        collection.inputFiles = products.sorted(by: { $0.key < $1.key }).map(\.value)
        collection.provenance = provenance
        collection.version = provenance.calfarmVersion
        try collection.write(into: agipdGroup)
        if let xfelGroup { try collection.write(into: xfelGroup) }
    }
}
