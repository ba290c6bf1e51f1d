/// Why the simulator could not write a run. HDF5 failures surface as `HDF5Error`, which names
/// the file and object.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    /// An option is out of range or contradicts another; `name` is the option.
    case invalidOption(name: String, reason: String)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): "invalid simulation option \(name): \(reason)"
        case let .cannotCreateDirectory(path, reason): "cannot create directory \(path): \(reason)"
        }
    }
}
