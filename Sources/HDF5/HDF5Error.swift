// The HDF5 layer's one error type. Every case names the file and the object inside it, so a
// failing worker's log says which input or output was bad without a debugger.

/// Every failure of the HDF5 layer, carrying the file, the object path and libhdf5's messages.
///
/// Object paths are absolute inside the file (`/entry/data`); an attribute is written
/// `object@attribute` (`/entry/data@units`); an empty object means the file itself.
public enum HDF5Error: Error, CustomStringConvertible, Equatable {
    /// A libhdf5 call failed: `operation` is what CalFarm tried, `messages` HDF5's error stack
    /// (outermost call first).
    case call(operation: String, file: String, object: String, messages: [String])
    /// The file, or an object or attribute in it, does not exist.
    case notFound(file: String, object: String)
    /// The stored element type (or object kind) is not the one requested, e.g. strings read as numbers.
    case typeMismatch(file: String, object: String, expected: String, found: String)
    /// A buffer, value count or selection does not fit the dataset's shape.
    case shapeMismatch(file: String, object: String, expected: [Int], found: [Int])
    /// A request CalFarm refuses before calling libhdf5 (bad options, out-of-bounds selection, …).
    case invalidArgument(file: String, object: String, reason: String)

    /// The file path the error is about.
    public var file: String {
        switch self {
        case .call(_, let file, _, _), .notFound(let file, _), .typeMismatch(let file, _, _, _),
             .shapeMismatch(let file, _, _, _), .invalidArgument(let file, _, _):
            file
        }
    }

    /// The object path inside the file the error is about (empty for the file itself).
    public var object: String {
        switch self {
        case .call(_, _, let object, _), .notFound(_, let object), .typeMismatch(_, let object, _, _),
             .shapeMismatch(_, let object, _, _), .invalidArgument(_, let object, _):
            object
        }
    }

    public var description: String {
        switch self {
        case let .call(operation, file, object, messages):
            let detail = messages.isEmpty ? "no message from libhdf5" : messages.joined(separator: "; ")
            return "HDF5: \(operation) failed for \(Self.where(file, object)): \(detail)"
        case let .notFound(file, object):
            if object.isEmpty { return "HDF5: file '\(file)' does not exist" }
            return "HDF5: \(Self.what(object)) not found in file '\(file)'"
        case let .typeMismatch(file, object, expected, found):
            return "HDF5: \(Self.where(file, object)) holds \(found), but \(expected) was requested"
        case let .shapeMismatch(file, object, expected, found):
            return "HDF5: shape mismatch for \(Self.where(file, object)): expected \(expected), found \(found)"
        case let .invalidArgument(file, object, reason):
            return "HDF5: \(Self.where(file, object)): \(reason)"
        }
    }

    /// `'/a/b' in file 'x.h5'`, or just `file 'x.h5'` for the file itself.
    private static func `where`(_ file: String, _ object: String) -> String {
        object.isEmpty ? "file '\(file)'" : "\(what(object)) in file '\(file)'"
    }

    private static func what(_ object: String) -> String {
        if let at = object.lastIndex(of: "@") {
            return "attribute '\(object[object.index(after: at)...])' of '\(object[..<at])'"
        }
        return "'\(object)'"
    }
}
