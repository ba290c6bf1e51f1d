/// The declared type of a configuration key. Every value, from a file or from `--set`, is parsed
/// from its raw text with this type; YAML's own implicit typing is never consulted.
public enum ConfigurationType: Sendable, Equatable, CustomStringConvertible {
    /// Any text, never null.
    case string
    /// Text or `null` (the feature is off or left to the cluster's default).
    case optionalString
    /// A decimal integer not below `minimum`.
    case integer(minimum: Int)
    /// A decimal integer not below `minimum`, or the word `auto` (kept as the string "auto").
    case integerOrAuto(minimum: Int)
    /// How many array tasks may run at once: an integer ≥ 0, also written `%N` as in
    /// `sbatch --array=…%N` (the guide's spelling).
    case arrayThrottle
    /// A decimal number not below `minimum`.
    case number(minimum: Double)
    /// `true` or `false`.
    case boolean
    /// A SLURM time limit: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or `UNLIMITED`; kept as text.
    case slurmTime
    /// A SLURM memory size (`4000`, `8G`, `512M`) or `null` (no `--mem` line).
    case optionalMemory
    /// A list of integers within `range`; accepts `[0, 8]`, `0-15`, `0-3,8` and a single integer.
    case integers(range: ClosedRange<Int>?)
    /// A list of strings; a single scalar is a one-element list.
    case strings
    /// One of a fixed set of words.
    case choice([String])
    /// SLURM `--mail-type` values, comma-separated (`END,FAIL`).
    case mailTypes

    /// SLURM's `--mail-type` vocabulary.
    static let slurmMailTypes: Set<String> = [
        "NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT", "TIME_LIMIT",
        "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS",
    ]

    public var description: String {
        switch self {
        case .string: return "string"
        case .optionalString: return "string or null"
        case .integer(let minimum): return "integer ≥ \(minimum)"
        case .integerOrAuto(let minimum): return "integer ≥ \(minimum), or auto"
        case .arrayThrottle: return "integer ≥ 0, or %N as in sbatch --array"
        case .number(let minimum): return "number ≥ \(minimum)"
        case .boolean: return "boolean (true or false)"
        case .slurmTime: return "SLURM time limit as text (e.g. \"12:00:00\", \"1-00:00:00\", \"90\")"
        case .optionalMemory: return "memory size (e.g. \"8G\", \"4000M\") or null"
        case .integers(let range):
            if let range { return "list of integers in \(range.lowerBound)–\(range.upperBound) (e.g. [0, 8] or 0-15)" }
            return "list of integers (e.g. [0, 8] or 0-15)"
        case .strings: return "list of strings"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .mailTypes: return "comma-separated SLURM mail types (e.g. END,FAIL)"
        }
    }

    var isList: Bool {
        switch self {
        case .integers, .strings: return true
        default: return false
        }
    }

    var allowsNull: Bool {
        switch self {
        case .optionalString, .optionalMemory, .integers, .strings: return true
        default: return false
        }
    }
}
