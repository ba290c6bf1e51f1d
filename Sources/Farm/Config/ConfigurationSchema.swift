/// The declared configuration: every section and key CalFarm reads, with its type and meaning.
/// Defaults live in ``BuiltinDefaults`` (YAML), so the schema and the defaults are checked against
/// each other by a test. Adding a key = one line here plus one line in the defaults.
public enum ConfigurationSchema {
    /// One declared key.
    public struct Key: Sendable {
        public let name: String
        public let type: ConfigurationType
        public let summary: String
        init(_ name: String, _ type: ConfigurationType, _ summary: String) {
            self.name = name
            self.type = type
            self.summary = summary
        }
    }

    /// One declared section.
    public struct Section: Sendable {
        public let name: String
        public let keys: [Key]
        public func key(_ name: String) -> Key? { keys.first { $0.name == name } }
    }

    /// Keys shared by every step section.
    private static func stepKeys(extra: [Key] = []) -> [Key] {
        [
            Key("time_limit", .slurmTime, "SLURM --time of each job of this step"),
            Key("memory", .optionalMemory, "SLURM --mem of each job; null leaves it to the cluster"),
            Key("cpus", .integer(minimum: 1), "SLURM --cpus-per-task"),
        ] + extra + [
            Key("array_throttle", .arrayThrottle, "at most this many array tasks at once (N or %N); 0 = no limit"),
        ]
    }

    /// All sections in the order `effectiveYAML` prints them.
    public static let sections: [Section] = [
        Section(name: "general", keys: [
            Key("detector_string", .optionalString,
                "XFEL AGIPD source prefix, e.g. SPB_DET_AGIPD1M-1; null = the one the raw files name; --detector"),
            Key("interleaved", .choice(["auto", "true", "false"]),
                "analog and digital as separate frames (2017 data); auto = from the raw files' layout"),
            Key("runs", .integers(range: 0...99_999), "run numbers (dark: high, medium, low gain order); --runs"),
            Key("channels", .integers(range: 0...15), "XFEL module channels; --channels"),
            Key("asics", .integers(range: 1...16), "ASICs of each module; --asics"),
            Key("module", .optionalString, "CFEL module name, e.g. M304; --module"),
            Key("temperature", .optionalString, "CFEL temperature directory, e.g. temperature_m20C; --temperature"),
            Key("cells", .integer(minimum: 0), "memory cells per train of CFEL data (the files do not say); 0 = 352, or 1 for xray; --cells"),
            Key("partition", .optionalString, "SLURM partition; null = the cluster's default"),
            Key("account", .optionalString, "SLURM account"),
            Key("qos", .optionalString, "SLURM quality of service"),
            Key("mail_user", .optionalString, "mail address; one mail per request, not per job"),
            Key("mail_type", .mailTypes, "SLURM --mail-type of the request's mail"),
            Key("environment", .strings, "shell lines run before the worker, e.g. module load hdf5"),
            Key("template_dir", .optionalString, "directory with the site's own slurm-array.sbatch.mustache"),
            Key("worker", .optionalString, "path of calfarm-worker; null = next to the running calfarm"),
            Key("extra_sbatch", .strings, "raw sbatch options, one per #SBATCH line, e.g. --constraint=hsw"),
        ]),
        Section(name: "preprocess", keys: stepKeys()),
        Section(name: "gather", keys: stepKeys()),
        Section(name: "process", keys: stepKeys(extra: [
            Key("n_jobs", .integerOrAuto(minimum: 1),
                "ASIC chunks per channel (balanced: exactly min(n_jobs, ASICs)); auto = one per unit_mib of the channel's raw data, 1–16"),
            Key("unit_mib", .integer(minimum: 1), "with n_jobs auto: MiB of raw data (all runs of a channel) per process unit"),
        ])),
        Section(name: "merge", keys: stepKeys()),
        Section(name: "join", keys: stepKeys()),
        Section(name: "retry", keys: [
            Key("max_attempts", .integer(minimum: 1), "attempts per job unit, the first included"),
            Key("timeout_factor", .number(minimum: 1), "time limit multiplier after a TIMEOUT"),
        ]),
        Section(name: "supervisor", keys: [
            Key("enabled", .boolean, "submit a supervisor job with each SLURM request: it applies the retry policy with nobody watching"),
            Key("time_limit", .slurmTime, "SLURM --time of the supervisor job; it hands over to a successor before the limit"),
            Key("memory", .optionalMemory, "SLURM --mem of the supervisor job"),
            Key("interval", .number(minimum: 1), "seconds between the supervisor's looks at the request"),
        ]),
        Section(name: "dark", keys: [
            Key("tint", .optionalString, "CFEL integration time directory, e.g. tint150ns"),
            Key("run_names", .strings, "CFEL run names in gain order"),
            Key("mask_sigma", .number(minimum: 1), "bad_pixel_mask: noise and offset beyond the module's median ± k robust σ per stage are flagged"),
        ]),
        Section(name: "xray", keys: [
            Key("element", .choice(["Cu", "Mo"]), "fluorescence target: Cu (8.0 keV) or Mo (17.4 keV); gain_per_kev divides by it"),
            Key("histogram_bins", .integer(minimum: 64), "unit ADU bins per pixel and cell, centred on its first value; must hold both peaks"),
            Key("min_peak_frames", .integer(minimum: 2), "frames each peak needs, else fit_status 1 or 2"),
            Key("min_spacing", .number(minimum: 0), "a photon spacing at or below this many ADU is flagged (fit_status 3)"),
        ]),
        Section(name: "drspc", keys: [
            Key("run_names", .strings, "CFEL run names of the 8 pulse-capacitor runs"),
            Key("high_gain_window", .integers(range: 0...100_000), "[first, end) scan steps of the high-gain fit"),
            Key("medium_gain_window", .integers(range: 0...100_000), "[first, end) scan steps of the medium-gain fit"),
        ]),
        Section(name: "drscs", keys: [
            Key("currents", .strings, "current-source settings; 4 runs per current"),
            Key("safety_factor", .integer(minimum: 0), "ADU margin of the gain-stage fit"),
            Key("run_names", .strings, "CFEL run names of the 4 column-group runs"),
        ]),
        Section(name: "local", keys: [
            Key("workers", .integer(minimum: 0), "parallel worker processes of --executor local; 0 = one per CPU"),
        ]),
        Section(name: "store", keys: [
            Key("journal_mode", .choice(["auto", "wal", "delete"]),
                "SQLite journal; auto = WAL on local disks, DELETE on network filesystems"),
        ]),
        Section(name: "slurm", keys: [
            Key("max_array_size", .integer(minimum: 2), "the cluster's MaxArraySize; arrays are split below it"),
        ]),
    ]

    private static let index: [String: Section] = Dictionary(uniqueKeysWithValues: sections.map { ($0.name, $0) })

    public static func section(_ name: String) -> Section? { index[name] }

    /// The declared key for `section.key`, if any.
    public static func key(section: String, name: String) -> Key? { index[section]?.key(name) }

    /// Every `section.key`, in print order.
    public static var allKeyPaths: [String] {
        sections.flatMap { section in section.keys.map { "\(section.name).\($0.name)" } }
    }
}
