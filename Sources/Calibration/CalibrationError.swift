import HDF5

/// Why a calibration step could not produce its products. Every case names the file, run,
/// channel or key concerned, so the message alone tells the user what to fix.
public enum CalibrationError: Error, CustomStringConvertible {
    /// An input file or directory that must exist does not.
    case missingInput(path: String, what: String)
    /// An input exists but its content is wrong (shape, type, values); `reason` says how.
    case badInput(path: String, reason: String)
    /// Inputs disagree with each other (e.g. cell counts between runs).
    case inconsistent(reason: String)
    /// A libhdf5 failure (carries file, object and HDF5's messages).
    case hdf5(HDF5Error)
    /// Writing a product failed.
    case outputFailed(path: String, reason: String)
    /// A step was asked for something it cannot do (e.g. dark with other than 3 runs);
    /// `name` is the parameter concerned.
    case invalidArgument(name: String, reason: String)

    /// The message for a caller that names `path` itself: without the path when the error is
    /// about that file, else the whole description.
    public func message(about path: String) -> String {
        switch self {
        case let .badInput(file, reason) where file == path: reason
        case let .missingInput(file, what) where file == path: "missing \(what)"
        default: description
        }
    }

    public var description: String {
        switch self {
        case let .missingInput(path, what): "missing \(what): \(path)"
        case let .badInput(path, reason): "bad input \(path): \(reason)"
        case let .inconsistent(reason): "inconsistent inputs: \(reason)"
        case let .hdf5(error): error.description
        case let .outputFailed(path, reason): "cannot write \(path): \(reason)"
        case let .invalidArgument(name, reason): "invalid \(name): \(reason)"
        }
    }
}
