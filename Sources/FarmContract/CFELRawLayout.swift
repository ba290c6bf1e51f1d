import Foundation

/// One CFEL raw file name, parsed: `<module>_<position>_<measurement>_[<spec>_][<run name>_]<run>_part<part>.nxs`,
/// or `…_<run>.nxs` for a run written without parts (agipd-reference §5.2).
public struct CFELRawFile: Sendable, Equatable, Comparable {
    /// The file name (no directory).
    public var name: String
    /// `m1` … `m4`: where the module sat; not given by the user, found here.
    public var position: String
    /// The text between the measurement (and spec) and the run number, e.g. `hg`; "" if none.
    public var runName: String
    public var run: Int
    /// nil for the fallback name without `_partNNNNN`.
    public var part: Int?

    public init(name: String, position: String, runName: String, run: Int, part: Int?) {
        self.name = name; self.position = position; self.runName = runName; self.run = run; self.part = part
    }

    public static func < (lhs: CFELRawFile, rhs: CFELRawFile) -> Bool {
        (lhs.run, lhs.part ?? -1, lhs.name) < (rhs.run, rhs.part ?? -1, rhs.name)
    }

    /// The part's index in the run's gather units (the fallback file is part 0).
    public var partIndex: Int { part ?? 0 }
}

/// Where one CFEL request's raw files are and how their names parse. Controller (discovery,
/// planning) and worker (gather) both list the directory through this, so they agree on which
/// file is which part without the plan having to store file names.
public struct CFELRawLayout: Sendable, Equatable {
    public var inputDir: String
    public var temperature: String
    public var measurement: Measurement
    public var module: String
    /// `meas_spec` (dark tint, xray element, drscs current); nil when the measurement has none.
    public var spec: String?

    public init(inputDir: String, temperature: String, measurement: Measurement, module: String, spec: String?) {
        self.inputDir = inputDir; self.temperature = temperature; self.measurement = measurement
        self.module = module; self.spec = spec.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `<input>/<temperature>/<measurement>[/<spec>]`: the spec is a directory for every
    /// measurement except dark and xray, where it is only part of the names.
    public var directory: String {
        var dir = "\(inputDir)/\(temperature)/\(measurement.rawValue)"
        if let spec, measurement != .dark, measurement != .xray { dir += "/\(spec)" }
        return dir
    }

    public func path(_ file: CFELRawFile) -> String { "\(directory)/\(file.name)" }

    /// The name the simulator writes for (position, run name, run, part).
    public func fileName(position: String, runName: String, run: Int, part: Int?) -> String {
        var name = "\(module)_\(position)_\(measurement.rawValue)_"
        if let spec { name += "\(spec)_" }
        if !runName.isEmpty { name += "\(runName)_" }
        name += ProductPaths.pad(run, 5)
        if let part { name += "_part" + ProductPaths.pad(part, 5) }
        return name + ".nxs"
    }

    /// Parses a name of this module and measurement; nil for any other file. A configured spec
    /// is taken off the front of the run name when the name carries it.
    public func parse(_ name: String) -> CFELRawFile? {
        guard name.hasSuffix(".nxs"), name.hasPrefix(module + "_") else { return nil }
        var fields = name.dropFirst(module.count + 1).dropLast(4).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3, let position = fields.first, position.count >= 2, position.first == "m",
              Int(position.dropFirst()) != nil, fields[1] == measurement.rawValue else { return nil }
        fields.removeFirst(2)
        var part: Int?
        if let last = fields.last, last.hasPrefix("part"), let number = Int(last.dropFirst(4)), number >= 0 {
            part = number
            fields.removeLast()
        }
        guard let runText = fields.popLast(), !runText.isEmpty, runText.allSatisfy(\.isNumber),
              let run = Int(runText) else { return nil }
        if let spec, fields.first == spec { fields.removeFirst() }
        return CFELRawFile(name: name, position: position, runName: fields.joined(separator: "_"), run: run, part: part)
    }

    /// Every file of this module and measurement in `directory`, sorted by run and part.
    /// - Throws: ``CFELLayoutProblem`` when the directory cannot be listed.
    public func scan() throws(CFELLayoutProblem) -> [CFELRawFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
            throw CFELLayoutProblem(path: directory, reason: exists ? "cannot be listed (\(error.localizedDescription))"
                                    : "does not exist (CFEL raw files live in <input>/<temperature>/<measurement>[/<spec>])")
        }
        return names.compactMap(parse).sorted()
    }

    /// The parts of `run` among `files`, in part order.
    /// - Throws: ``CFELLayoutProblem`` when the run has no file, files of several module
    ///   positions, part files beside a fallback file, or several run names.
    public func parts(of run: Int, in files: [CFELRawFile]) throws(CFELLayoutProblem) -> [CFELRawFile] {
        let mine = files.filter { $0.run == run }
        guard !mine.isEmpty else {
            throw CFELLayoutProblem(path: directory, reason: "no file of run \(run) for module \(module) "
                + "(expected e.g. \(fileName(position: "m1", runName: "", run: run, part: 0)))"
                + Self.found(files))
        }
        let positions = Set(mine.map(\.position))
        if positions.count > 1 {
            throw CFELLayoutProblem(path: directory, reason: "run \(run) of module \(module) has files of several "
                + "positions (\(positions.sorted().joined(separator: ", "))): \(Self.names(mine)); keep one position's files")
        }
        let runNames = Set(mine.map(\.runName))
        if runNames.count > 1 {
            throw CFELLayoutProblem(path: directory, reason: "run \(run) has files of several run names "
                + "(\(runNames.sorted().map { $0.isEmpty ? "none" : $0 }.joined(separator: ", "))): \(Self.names(mine))")
        }
        let withParts = mine.filter { $0.part != nil }
        if !withParts.isEmpty, withParts.count != mine.count {
            throw CFELLayoutProblem(path: directory, reason: "run \(run) has both part files and a file without "
                + "_partNNNNN: \(Self.names(mine)); keep one kind")
        }
        return mine
    }

    /// The runs named `runNames`, in that order: for each name, the run whose first part (or
    /// fallback file) carries it.
    /// - Throws: ``CFELLayoutProblem`` listing what was found when a name is missing or names
    ///   several runs.
    public func discoverRuns(runNames: [String], in files: [CFELRawFile]) throws(CFELLayoutProblem) -> [Int] {
        let firsts = files.filter { $0.partIndex == 0 }
        var runs: [Int] = []
        for name in runNames {
            let matching = Set(firsts.filter { $0.runName == name }.map(\.run)).sorted()
            guard matching.count == 1 else {
                let what = matching.isEmpty ? "no run is named '\(name)'"
                    : "runs \(matching.map(String.init).joined(separator: ", ")) are all named '\(name)'"
                throw CFELLayoutProblem(path: directory, reason: "cannot find the runs from the run names "
                    + "\(runNames) of module \(module): \(what)" + Self.found(files) + "; give the runs with --runs")
            }
            runs.append(matching[0])
        }
        return runs
    }

    /// "; found: run 1 (hg), run 2 (mg)" for a message, or "; no file of module … found".
    static func found(_ files: [CFELRawFile]) -> String {
        let firsts = files.filter { $0.partIndex == 0 }
        guard !firsts.isEmpty else { return "; no file of this module and measurement is there" }
        let listing = firsts.prefix(12).map { "run \($0.run)" + ($0.runName.isEmpty ? "" : " (\($0.runName))") }
        return "; found: " + listing.joined(separator: ", ") + (firsts.count > 12 ? ", …" : "")
    }

    static func names(_ files: [CFELRawFile]) -> String {
        files.prefix(6).map(\.name).joined(separator: ", ") + (files.count > 6 ? ", …" : "")
    }
}

/// A CFEL raw directory that cannot be used: the path and why.
public struct CFELLayoutProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
