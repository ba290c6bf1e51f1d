import AGIPD
import FarmContract
import Foundation

/// The drscs merge step for one module and a list of ASICs: per ASIC, ranks the currents by
/// their number of failed (cell, pixel) fits, fewest first (ties: configuration order), takes
/// the best current's constants, and fills each entry that failed there from the first current
/// **in ranking order** that fitted it. `chosen_current` holds the number of the current whose
/// values an entry has (20, 80, 150), 0 where none fitted (the best current's codes are kept).
///
/// Fixed on purpose, compared with the original's `merge_drscs.py` (agipd-reference §6.6):
/// recoveries follow the ranking, not the configuration order (where a later, worse current
/// overwrote a better one); a current whose process product is missing (its unit failed) is left
/// out with a warning instead of failing the merge.
public struct DrscsMerge: Sendable {
    /// The configured currents, in configuration order, with their runs (current by current).
    public var currents: [(current: DrscsCurrent, runs: [Int])]
    /// Every run of the request (names the merged product's directory).
    public var runs: [Int]
    public var unit: DetectorUnit
    /// Paths without a current (the merged products); each current's are `withSpec(current)`.
    public var paths: ProductPaths
    public var asics: [Int]
    public var provenance: Provenance

    public init(currents: [(current: DrscsCurrent, runs: [Int])], runs: [Int], unit: DetectorUnit, paths: ProductPaths,
                asics: [Int], provenance: Provenance) {
        self.currents = currents; self.runs = runs; self.unit = unit; self.paths = paths; self.asics = asics
        self.provenance = provenance
    }

    public func outputPath(asic: Int) -> String { paths.merged(runs: runs, unit: unit, asic: asic) }

    public func processedPath(current: DrscsCurrent, runs: [Int], asic: Int) -> String {
        paths.withSpec(current.name).processed(runs: runs, unit: unit, asic: asic)
    }

    public func run() throws -> StepReport {
        try StepReport.timed { try merge() }
    }

    /// The ranking of `products` (index into it): fewest failed entries first, ties in order.
    public static func ranking(_ products: [DrscsConstants]) -> [Int] {
        let failures = products.map { $0.errorCode.filter { $0 != DrscsConstants.ErrorCode.fitted.rawValue }.count }
        return products.indices.sorted { (failures[$0], $0) < (failures[$1], $1) }
    }

    /// Merges one ASIC's products (one per current, in configuration order).
    public static func merge(_ products: [(current: DrscsCurrent, constants: DrscsConstants)], collection: ProductCollection) -> DrscsConstants {
        let order = ranking(products.map(\.constants))
        var merged = products[order[0]].constants
        merged.collection = collection
        let fitted = DrscsConstants.ErrorCode.fitted.rawValue
        var chosen = [Int16](repeating: 0, count: merged.errorCode.count)
        for index in chosen.indices {
            guard let pick = order.first(where: { products[$0].constants.errorCode[index] == fitted }) else { continue }
            chosen[index] = Int16(products[pick].current.number)
            if pick != order[0] { merged.take(index, from: products[pick].constants) }
        }
        merged.chosenCurrent = chosen
        return merged
    }

    private func merge() throws -> StepReport {
        let selected = try ASIC.selection(asics)
        var report = StepReport()
        var unfitted = 0
        for asic in selected {
            var products: [(current: DrscsCurrent, constants: DrscsConstants)] = []
            var inputs: [String] = []
            for (current, currentRuns) in currents {
                let path = processedPath(current: current, runs: currentRuns, asic: asic.number)
                guard FileManager.default.fileExists(atPath: path) else {
                    report.warnings.append("\(unit) ASIC \(asic.number): no product of current \(current) (\(path)); merged without it")
                    continue
                }
                products.append((current, try DrscsConstants.read(from: path)))
                inputs.append(path)
            }
            guard let first = products.first else {
                throw CalibrationError.missingInput(path: processedPath(current: currents[0].current, runs: currents[0].runs, asic: asic.number),
                                                   what: "a process product of any current for \(unit) ASIC \(asic.number)")
            }
            if let other = products.first(where: { $0.constants.cells != first.constants.cells }) {
                throw CalibrationError.inconsistent(reason: "\(unit) ASIC \(asic.number): current \(first.current) has "
                    + "\(first.constants.cells) memory cells, current \(other.current) \(other.constants.cells)")
            }
            var collection = first.constants.collection
            collection.runNumbers = currents.flatMap(\.runs).map(ProductPaths.runTag)
            collection.inputFiles = inputs
            collection.provenance = provenance
            let merged = Self.merge(products, collection: collection)
            unfitted += merged.chosenCurrent?.filter { $0 == 0 }.count ?? 0
            let path = outputPath(asic: asic.number)
            try StagedProduct.write(to: path) { try merged.write(to: $0) }
            report.outputs.append(path)
        }
        if unfitted > 0 {
            report.warnings.append("\(unit): \(unfitted) (cell, pixel) entries fitted by no current (chosen_current 0)")
        }
        report.metrics = ["asics": Double(selected.count), "unfitted": Double(unfitted)]
        return report
    }
}
