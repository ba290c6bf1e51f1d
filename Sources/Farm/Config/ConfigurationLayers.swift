import Foundation

/// The files and overrides that make up one configuration, lowest precedence first:
/// built-in defaults < site file < user file < `--config` files (in order) < `--set` overrides
/// (in order). Later layers replace earlier values key by key; lists are replaced, not merged.
public struct ConfigurationLayers: Sendable, Equatable {
    /// `$CALFARM_SITE_CONFIG`; must exist when set.
    public var siteFile: String?
    /// `$CALFARM_HOME/config.yaml`; read only if it exists.
    public var userFile: String?
    /// `--config FILE` arguments; each must exist.
    public var configFiles: [String]
    /// `--set section.key=value` arguments.
    public var overrides: [String]

    public init(siteFile: String? = nil, userFile: String? = nil, configFiles: [String] = [], overrides: [String] = []) {
        self.siteFile = siteFile
        self.userFile = userFile
        self.configFiles = configFiles
        self.overrides = overrides
    }

    /// The standard layers for this process: the site file from `CALFARM_SITE_CONFIG`, the user
    /// file `$CALFARM_HOME/config.yaml` (`CALFARM_HOME` defaults to `~/.calfarm`), plus the
    /// command line's `--config` files and `--set` overrides.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                configFiles: [String] = [], overrides: [String] = []) -> ConfigurationLayers {
        let site = environment["CALFARM_SITE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        return ConfigurationLayers(siteFile: site, userFile: calfarmHome(environment: environment) + "/config.yaml",
                                   configFiles: configFiles, overrides: overrides)
    }

    /// `$CALFARM_HOME`, else `$HOME/.calfarm`.
    public static func calfarmHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["CALFARM_HOME"], !home.isEmpty { return home }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return userHome + "/.calfarm"
    }
}
