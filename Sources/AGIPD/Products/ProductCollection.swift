import HDF5

/// Who asked for a product and with which settings; copied into every product's `collection/`
/// group so a file explains itself (the original kept only a version and a date).
public struct Provenance: Sendable, Equatable {
    /// CalFarm version of the worker that wrote the file.
    public var calfarmVersion: String
    /// The request id.
    public var request: String
    /// The request's effective configuration as YAML text.
    public var configuration: String

    public init(calfarmVersion: String, request: String, configuration: String) {
        self.calfarmVersion = calfarmVersion
        self.request = request
        self.configuration = configuration
    }
}

/// The `collection/` group of processed and joined products. The first three datasets keep the
/// original's names (agipd-reference §5.5); the rest are CalFarm's provenance.
///
/// | Dataset | Type |
/// |---|---|
/// | `collection/run_number` | 1-D strings, e.g. `r0819`, `r0820`, `r0821` |
/// | `collection/creation_date` | scalar string, ISO 8601 |
/// | `collection/version` | scalar string (software version, = `calfarm_version`) |
/// | `collection/calfarm_version`, `collection/request`, `collection/configuration` | scalar strings |
/// | `collection/input_files` | 1-D strings: the files the product was computed from |
public struct ProductCollection: Sendable, Equatable {
    public static let groupName = "collection"

    public var runNumbers: [String]
    public var creationDate: String
    public var version: String
    public var provenance: Provenance
    public var inputFiles: [String]

    public init(runNumbers: [String], creationDate: String, provenance: Provenance, inputFiles: [String]) {
        self.runNumbers = runNumbers
        self.creationDate = creationDate
        self.version = provenance.calfarmVersion
        self.provenance = provenance
        self.inputFiles = inputFiles
    }

    /// Writes the datasets under `parent/collection`.
    public func write(into parent: Group) throws {
        let group = try parent.createGroup(Self.groupName)
        try group.writeStrings("run_number", runNumbers)
        try group.writeString("creation_date", creationDate)
        try group.writeString("version", version)
        try group.writeString("calfarm_version", provenance.calfarmVersion)
        try group.writeString("request", provenance.request)
        try group.writeString("configuration", provenance.configuration)
        try group.writeStrings("input_files", inputFiles)
    }

    /// Reads `parent/collection`.
    public static func read(from parent: Group) throws -> ProductCollection {
        let group = try parent.group(groupName)
        let provenance = Provenance(calfarmVersion: try group.readString("calfarm_version"),
                                    request: try group.readString("request"),
                                    configuration: try group.readString("configuration"))
        var collection = ProductCollection(runNumbers: try group.readStrings("run_number"),
                                           creationDate: try group.readString("creation_date"),
                                           provenance: provenance,
                                           inputFiles: try group.readStrings("input_files"))
        collection.version = try group.readString("version")
        return collection
    }
}
