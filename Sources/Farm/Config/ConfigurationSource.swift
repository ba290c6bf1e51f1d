/// Where a configuration value came from; named in every error and kept per key.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// The compiled-in defaults.
    case builtin
    /// `$CALFARM_SITE_CONFIG`.
    case site(path: String)
    /// `$CALFARM_HOME/config.yaml`.
    case user(path: String)
    /// A `--config FILE`.
    case file(path: String)
    /// One `--set section.key=value` (the whole argument).
    case override(String)

    public var description: String {
        switch self {
        case .builtin: return "built-in defaults"
        case .site(let path): return "site file \(path)"
        case .user(let path): return "user file \(path)"
        case .file(let path): return path
        case .override(let text): return "--set \(text)"
        }
    }

    /// The file path, for sources that are files.
    public var path: String? {
        switch self {
        case .site(let path), .user(let path), .file(let path): return path
        case .builtin, .override: return nil
        }
    }
}
