/// What one set of products covers: an XFEL channel (a module slot of the full detector) or the
/// one module a CFEL request calibrates. Process, join and their messages speak of a unit, so
/// they do not depend on the facility.
public enum DetectorUnit: Sendable, Hashable, CustomStringConvertible {
    case channel(Int)
    case module(String)

    /// "channel 3", "module M304".
    public var description: String {
        switch self {
        case .channel(let channel): "channel \(channel)"
        case .module(let module): "module \(module)"
        }
    }

    /// The XFEL channel, nil for a CFEL module.
    public var channel: Int? {
        if case .channel(let channel) = self { return channel }
        return nil
    }
}
