import FarmContract
import Foundation

/// The merged, typed configuration of one request. Build it with ``load(_:)``; read it through the
/// typed views (``general``, ``resources(for:)``, ``retry`` …) or by `section.key`. Immutable.
public struct Configuration: Sendable, Equatable {
    /// `section.key` → value; holds every declared key (the defaults declare them all).
    public private(set) var values: [String: ConfigurationValue]
    /// `section.key` → the layer its value came from.
    public private(set) var sources: [String: ConfigurationSource]

    /// The built-in defaults alone.
    public static let defaults: Configuration = {
        var configuration = Configuration(values: [:], sources: [:])
        // The defaults are compiled in and covered by tests; failing here is a programming error.
        try! configuration.apply(ConfigurationParser.parse(BuiltinDefaults.yaml, source: .builtin), from: .builtin)
        return configuration
    }()

    private init(values: [String: ConfigurationValue], sources: [String: ConfigurationSource]) {
        self.values = values
        self.sources = sources
    }

    /// Loads and merges all layers, lowest first.
    /// - Throws: ``ConfigurationError`` naming the file (or `--set` argument), key and line.
    public static func load(_ layers: ConfigurationLayers) throws -> Configuration {
        var configuration = defaults
        if let site = layers.siteFile { try configuration.applyFile(.site(path: site), required: true) }
        if let user = layers.userFile { try configuration.applyFile(.user(path: user), required: false) }
        for file in layers.configFiles { try configuration.applyFile(.file(path: file), required: true) }
        return try configuration.applying(overrides: layers.overrides)
    }

    /// This configuration with `--set`-style overrides applied on top, in order.
    public func applying(overrides: [String]) throws -> Configuration {
        var copy = self
        for text in overrides {
            let entry = try ConfigurationParser.parseOverride(text)
            copy.apply([entry], from: .override(text))
        }
        return copy
    }

    /// This configuration with one more YAML layer on top (`source` names it in errors).
    public func applying(yaml: String, source: ConfigurationSource) throws -> Configuration {
        var copy = self
        copy.apply(try ConfigurationParser.parse(yaml, source: source), from: source)
        return copy
    }

    private mutating func applyFile(_ source: ConfigurationSource, required: Bool) throws {
        let path = source.path!
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if required { throw ConfigurationError.missingFile(source: source) }
            return
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError.unreadableFile(source: source, reason: "it is a directory")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadableFile(source: source, reason: error.localizedDescription)
        }
        apply(try ConfigurationParser.parse(text, source: source), from: source)
    }

    private mutating func apply(_ entries: [ConfigurationParser.Entry], from source: ConfigurationSource) {
        for (key, value) in entries {
            values[key] = value
            sources[key] = source
        }
    }

    // MARK: Reading

    /// The value of `section.key`, or nil for an undeclared key.
    public subscript(_ key: String) -> ConfigurationValue? { values[key] }

    /// The layer that set `section.key`.
    public func source(of key: String) -> ConfigurationSource? { sources[key] }

    /// The merged configuration as YAML: every section and key in schema order, strings quoted,
    /// lists in flow style. Reloading it gives an equal configuration (values, not sources).
    public var effectiveYAML: String {
        var out = ""
        for section in ConfigurationSchema.sections {
            out += "\(section.name):\n"
            for key in section.keys {
                out += "  \(key.name): \((values["\(section.name).\(key.name)"] ?? .null).yaml)\n"
            }
        }
        return out
    }

    func string(_ key: String) -> String { values[key]?.stringValue ?? "" }
    func optionalString(_ key: String) -> String? { values[key]?.stringValue }
    func int(_ key: String) -> Int { values[key]?.intValue ?? 0 }
}
