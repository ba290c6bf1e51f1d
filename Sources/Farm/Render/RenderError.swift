/// Why a batch script cannot be rendered.
public enum RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template file is not where the configuration (`general.template_dir`) says.
    case templateMissing(path: String)
    case templateUnreadable(path: String, reason: String)
    case templateInvalid(path: String, reason: String)
    /// A value cannot be written into the script safely (e.g. a newline in an `#SBATCH` value).
    case unrepresentable(field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .templateMissing(let path):
            return "batch script template not found: \(path) (set general.template_dir to a directory holding it)"
        case .templateUnreadable(let path, let reason):
            return "cannot read batch script template \(path): \(reason)"
        case .templateInvalid(let path, let reason):
            return "batch script template \(path) is not valid Mustache: \(reason)"
        case .unrepresentable(let field, let value, let reason):
            return "cannot put \(field) \(ShellQuoting.quote(value)) into a batch script: \(reason)"
        }
    }
}
