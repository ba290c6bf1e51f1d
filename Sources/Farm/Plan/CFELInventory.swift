import FarmContract
import Foundation

/// The raw files of a CFEL request, found by listing its one directory (names only, no HDF5):
/// the runs (given, or found from the measurement's run names) and each run's parts.
public struct CFELInventory: Sendable, Equatable {
    public var layout: CFELRawLayout
    /// The runs in the measurement's order (drscs: current by current).
    public var runs: [Int]
    /// run → its part files, in part order.
    public var parts: [Int: [CFELRawFile]]
    /// drscs: run → the layout of its current's directory (`layout` is the first current's).
    public var layoutOfRun: [Int: CFELRawLayout] = [:]

    /// The path of one of `run`'s part files.
    public func path(run: Int, _ file: CFELRawFile) -> String { (layoutOfRun[run] ?? layout).path(file) }

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
        if request.measurement == .drscs { return try scanCurrents(request, layout: layout) }
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

    /// drscs: each current of `drscs.currents` is its own directory `<temperature>/drscs/<current>/`
    /// with its four runs, found from `drscs.run_names` (their numbers differ between currents) or
    /// given with `--runs`, current by current. CalFarm names runs by number, so a number may not
    /// appear under two currents.
    private static func scanCurrents(_ request: PlanRequest, layout: CFELRawLayout) throws -> CFELInventory {
        let currents = request.configuration.drscsCurrents
        let names = request.configuration.values["drscs.run_names"]?.stringsValue ?? []
        var inventory = CFELInventory(layout: layout, runs: [], parts: [:])
        var currentOfRun: [Int: String] = [:]
        for (index, current) in currents.enumerated() {
            var mine = layout
            mine.spec = current
            do throws(CFELLayoutProblem) {
                let files = try mine.scan()
                var runs = DrscsCurrent.runs(ofCurrent: index, in: request.runs)
                if runs.isEmpty {
                    guard names.count == DrscsCurrent.runsPerCurrent else {
                        throw CFELLayoutProblem(path: mine.directory, reason: "drscs.run_names must name the 4 column-group "
                            + "runs (e.g. [col15, col26, col37, col48]), got \(names); or give --runs")
                    }
                    runs = try mine.discoverRuns(runNames: names, in: files)
                }
                for (k, run) in runs.enumerated() {
                    let parts = try mine.parts(of: run, in: files)
                    if let other = currentOfRun[run] {
                        throw CFELLayoutProblem(path: mine.path(parts[0]), reason: "run \(run) appears under current \(other) "
                            + "and \(current); CalFarm names runs by number, so each current's runs need their own numbers")
                    }
                    let name = parts[0].runName
                    if k < names.count, names.contains(name), name != names[k] {
                        throw CFELLayoutProblem(path: mine.path(parts[0]), reason: "run \(run) is named '\(name)' but is given "
                            + "as run \(k + 1) of current \(current), the '\(names[k])' run; give --runs in col15, col26, col37, col48 order")
                    }
                    currentOfRun[run] = current
                    inventory.parts[run] = parts
                    inventory.layoutOfRun[run] = mine
                    inventory.runs.append(run)
                }
            } catch {
                throw PlanError.unusableInput(error.description)
            }
        }
        return inventory
    }

    /// The part numbers of every run, for the planner.
    var partNumbers: [Int: [Int]] { parts.mapValues { $0.map(\.partIndex) } }
}
