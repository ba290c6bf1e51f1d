import FarmContract
import Foundation

/// The raw files of a CFEL request, found by listing its one directory (names only, no HDF5):
/// the runs (given, or found from the measurement's run names) and each run's parts.
public struct CFELInventory: Sendable, Equatable {
    public var layout: CFELRawLayout
    /// The runs in the measurement's order.
    public var runs: [Int]
    /// run → its part files, in part order.
    public var parts: [Int: [CFELRawFile]]

    /// The raw layout of `request` (its module, temperature and the measurement's spec).
    static func layout(_ request: PlanRequest) -> CFELRawLayout? {
        guard let module = request.module, let temperature = request.temperature else { return nil }
        return CFELRawLayout(inputDir: request.inputDir, temperature: temperature, measurement: request.measurement,
                             module: module, spec: request.cfelSpec)
    }

    /// Lists the directory. Without runs in the request, finds them from the run names of the
    /// measurement's section (`dark.run_names`, …) or, for a measurement without names, takes the
    /// only run there is. Runs given by number must carry the run name of their position when
    /// their files are named.
    /// - Throws: ``PlanError/unusableInput(_:)`` naming the directory, the files and what was found.
    static func scan(_ request: PlanRequest) throws -> CFELInventory {
        guard let layout = layout(request) else {
            throw PlanError.unusableInput("CFEL requests need --module and --temperature")
        }
        do throws(CFELLayoutProblem) {
            let files = try layout.scan()
            let section = MeasurementCatalog.description(of: request.measurement).settingsSection
            let names = request.configuration.values["\(section).run_names"]?.stringsValue ?? []
            var runs = request.runs
            if runs.isEmpty {
                if !names.isEmpty {
                    runs = try layout.discoverRuns(runNames: names, in: files)
                } else {
                    let found = Set(files.map(\.run)).sorted()
                    guard found.count == 1 else {
                        throw CFELLayoutProblem(path: layout.directory, reason: found.isEmpty
                            ? "no \(request.measurement.rawValue) file of module \(layout.module)"
                            : "several \(request.measurement.rawValue) runs of module \(layout.module) "
                                + "(\(found.map(String.init).joined(separator: ", "))); choose with --runs")
                    }
                    runs = found
                }
            }
            var parts: [Int: [CFELRawFile]] = [:]
            for (k, run) in runs.enumerated() {
                let mine = try layout.parts(of: run, in: files)
                let name = mine[0].runName
                if k < names.count, names.contains(name), name != names[k] {
                    throw CFELLayoutProblem(path: layout.path(mine[0]), reason: "run \(run) is named '\(name)' but is "
                        + "given as run \(k + 1) of \(runs.count), the '\(names[k])' run (\(section).run_names "
                        + "\(names)); give --runs in that order")
                }
                parts[run] = mine
            }
            return CFELInventory(layout: layout, runs: runs, parts: parts)
        } catch {
            throw PlanError.unusableInput(error.description)
        }
    }

    /// The part numbers of every run, for the planner.
    var partNumbers: [Int: [Int]] { parts.mapValues { $0.map(\.partIndex) } }
}
