import AGIPD
import FarmContract
import Foundation
import HDF5

/// The constants section: per unit (XFEL channel or CFEL module), gain stage and main key, a
/// map over the module in AGIPD orientation for a representative memory cell and for the median
/// over cells, with a colour bar, a histogram and the number of pixels without a value.
struct ConstantMaps {
    struct Map {
        var title: String
        var image: String
        var low: Double, high: Double
        var missing: Int
        var histogram: String
    }
    struct Unit {
        var name: String
        var maps: [Map]
        /// Dark: bad-pixel counts per bit over cells and pixels.
        var badPixels: [(name: String, count: Int)]
        var cellsShown: String
    }

    /// The keys drawn per measurement, with their stage names.
    static func keys(_ measurement: FarmContract.Measurement) -> [(key: String, label: String)] {
        switch measurement {
        case .dark: [("offset", "offset"), ("stddev", "noise"), ("gainlevel_mean", "gain level"), ("threshold", "threshold")]
        case .drspc: [("slope", "slope")]
        case .xray: [("photon_spacing", "photon spacing")]
        case .drscs: [("slope", "slope"), ("chosen_current", "chosen current")]
        }
    }

    static func stageName(_ key: String, _ index: Int, planes: Int) -> String {
        if key == "threshold" || key == "thresholds" { return ["high/medium", "medium/low"][min(index, 1)] }
        guard planes > 1 else { return "" }
        return ["high gain", "medium gain", "low gain"][min(index, 2)]
    }

    /// Reads the joined AGIPD-orientation file; at most `medianCells` evenly spaced cells enter the median.
    static func read(path: String, measurement: FarmContract.Measurement, medianCells: Int = 32) throws -> [Unit] {
        let file = try File.open(path)
        defer { try? file.close() }
        var units: [Unit] = []
        for group in try file.root.children().sorted() {
            guard let unit = try? file.root.group(group) else { continue }
            let names = Set(try unit.children())
            // Read under libhdf5's lock, one plane at a time; then medians and PNGs on every core.
            var planesToDraw: [(title: String, cells: [[Double]], one: [Double], representative: Int)] = []
            var cellsShown = ""
            for (key, label) in keys(measurement) where names.contains(key) {
                let dataset = try unit.dataset(key)
                let shape = dataset.shape
                guard shape.count >= 3, shape.suffix(2) == [ModuleGeometry.rows, ModuleGeometry.columns] else { continue }
                let planes = shape.count == 4 ? shape[0] : 1
                let cells = shape.count == 4 ? shape[1] : shape[0]
                let representative = cells / 2
                let sampled = Array(Set((0..<min(cells, medianCells)).map { $0 * cells / min(cells, medianCells) })).sorted()
                cellsShown = "cell \(representative) of \(cells); median over \(sampled.count == cells ? "all \(cells) cells" : "\(sampled.count) evenly spaced cells")"
                for plane in 0..<planes {
                    func cell(_ c: Int) throws -> [Double] {
                        let start = shape.count == 4 ? [plane, c, 0, 0] : [c, 0, 0]
                        let count = shape.count == 4 ? [1, 1, ModuleGeometry.rows, ModuleGeometry.columns] : [1, ModuleGeometry.rows, ModuleGeometry.columns]
                        return try dataset.read(Double.self, selection: Hyperslab(start: start, count: count))
                    }
                    let stage = stageName(key, plane, planes: planes)
                    let sampledPlanes = try sampled.map { try cell($0) }
                    let one = sampled.contains(representative) ? sampledPlanes[sampled.firstIndex(of: representative)!] : try cell(representative)
                    planesToDraw.append(("\(label) \(stage)", sampledPlanes, one, representative))
                }
            }
            let maps = try Self.drawAll(planesToDraw)
            units.append(Unit(name: group, maps: maps, badPixels: try badPixels(unit, names: names), cellsShown: cellsShown))
        }
        return units
    }

    /// The two maps of every plane (its representative cell, its median over cells), in order,
    /// computed in parallel.
    static func drawAll(_ planes: [(title: String, cells: [[Double]], one: [Double], representative: Int)]) throws -> [Map] {
        let results = ResultSlots<Result<Map, any Error>>(count: 2 * planes.count)
        Concurrently.forEach(2 * planes.count) { index in
            let plane = planes[index / 2]
            results[index] = Result {
                index % 2 == 0 ? try draw(plane.one, title: "\(plane.title), cell \(plane.representative)")
                    : try draw(medianOverCells(plane.cells), title: "\(plane.title), median over cells")
            }
        }
        return try results.values.map { try $0!.get() }
    }

    /// Per pixel, the median of its finite values over `cells` (each a 128 × 512 plane).
    static func medianOverCells(_ cells: [[Double]]) -> [Double] {
        guard cells.count > 1 else { return cells.first ?? [] }
        let pixels = cells[0].count, n = cells.count
        let flat = cells.flatMap { $0 }
        var result = [Double](repeating: .nan, count: pixels)
        var values = [Double](repeating: 0, count: n)
        flat.withUnsafeBufferPointer { flat in
            values.withUnsafeMutableBufferPointer { values in
                for i in 0..<pixels {
                    // Insertion sort of at most a few dozen values: cheaper than a general sort.
                    var count = 0
                    for c in 0..<n {
                        let v = flat[c * pixels + i]
                        guard v.isFinite else { continue }
                        var j = count
                        while j > 0, values[j - 1] > v { values[j] = values[j - 1]; j -= 1 }
                        values[j] = v
                        count += 1
                    }
                    guard count > 0 else { continue }
                    result[i] = count % 2 == 1 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2
                }
            }
        }
        return result
    }

    /// One map: the colour range is the 1st to 99th percentile, so a few hot pixels do not wash it out.
    static func draw(_ values: [Double], title: String) throws -> Map {
        var finite = values.filter(\.isFinite)
        let low = finite.isEmpty ? 0 : OrderStatistic.select(&finite, finite.count / 100)
        let high = finite.isEmpty ? 1 : OrderStatistic.select(&finite, (finite.count * 99) / 100)
        let indices = values.map { ColourMap.index($0, low: low, high: high) }
        let image = try PNGImage.dataURI(indices: indices, width: ModuleGeometry.columns, height: ModuleGeometry.rows,
                                         palette: ColourMap.palette)
        return Map(title: title, image: image, low: low, high: high, missing: values.count - finite.count,
                   histogram: Self.histogram(finite, low: low, high: high))
    }

    /// A small SVG histogram of 48 bins over [low, high] (values beyond count in the end bins).
    static func histogram(_ values: [Double], low: Double, high: Double, bins: Int = 48) -> String {
        var counts = [Int](repeating: 0, count: bins)
        for v in values {
            let t = high > low ? (v - low) / (high - low) : 0.5
            counts[max(0, min(bins - 1, Int(t * Double(bins))))] += 1
        }
        let peak = max(1, counts.max() ?? 1)
        // One path of bars (a rect each would be 48 elements per map).
        let bars = counts.enumerated().map { i, n in
            let h = Int((60.0 * Double(n) / Double(peak)).rounded())
            return "M\(i * 5) 60v-\(h)h4v\(h)z"
        }.joined()
        return "<svg class=\"hist\" width=\"\(bins * 5)\" height=\"60\"><path d=\"\(bars)\"/></svg>"
    }

    static func badPixels(_ unit: Group, names: Set<String>) throws -> [(name: String, count: Int)] {
        guard names.contains("bad_pixel_mask") else { return [] }
        let mask = try unit.dataset("bad_pixel_mask").read(UInt8.self)
        let bits: [(UInt8, String)] = [(1, "no frame"), (2, "noisy"), (4, "dead"), (8, "hot"), (16, "cold"), (32, "thresholds not rising")]
        var counts: [(name: String, count: Int)] = []
        for (bit, name) in bits { counts.append((name, mask.reduce(0) { $0 + ($1 & bit != 0 ? 1 : 0) })) }
        counts.append(("any", mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }))
        return counts
    }
}
