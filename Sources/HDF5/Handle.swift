// Ownership of libhdf5 ids: every id CalFarm opens is wrapped in exactly one `Handle`, which
// closes it (under the library lock) when released. Library-owned ids such as the native type
// constants are never wrapped.
internal import CHDF5

/// The kinds of id CalFarm opens, each with its own close function.
enum HandleKind: String {
    case file, group, dataset, attribute, dataspace, datatype, propertyList = "property list"
    /// Any object opened with H5Oopen (to learn its kind before opening it properly).
    case object

    func close(_ id: hid_t) -> herr_t {
        switch self {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        case .attribute: H5Aclose(id)
        case .dataspace: H5Sclose(id)
        case .datatype: H5Tclose(id)
        case .propertyList: H5Pclose(id)
        case .object: H5Oclose(id)
        }
    }
}

/// The owner of one open libhdf5 id. Not Sendable: a handle belongs to one task.
final class Handle {
    /// The open id; -1 once closed. Read it only inside a `Library.call` closure so the handle
    /// stays alive for the duration of the C call.
    private(set) var id: hid_t
    let kind: HandleKind

    /// Only `Library.open` creates handles, after checking the id is valid.
    init(id: hid_t, kind: HandleKind) {
        self.id = id
        self.kind = kind
    }

    var isOpen: Bool { id >= 0 }

    /// Closes now, surfacing libhdf5's error (a file's close is where late write errors appear).
    func close(_ site: Site) throws {
        guard id >= 0 else { return }
        let closing = id
        id = -1
        try Library.call("close \(kind.rawValue)", site) { kind.close(closing) }
    }

    deinit {
        guard id >= 0 else { return }
        let closing = id
        let kind = self.kind
        // A file closed with the strong degree has already closed its objects' ids.
        Library.withLock { if H5Iis_valid(closing) > 0 { _ = kind.close(closing) } }
    }
}

extension Handle {
    /// Throws when this (file) handle was closed: objects keep their file's handle alive, but
    /// after `File.close()` they refuse work instead of touching a closed file.
    func requireOpen(_ site: Site) throws {
        guard isOpen else { throw site.invalid("the file was closed") }
    }
}
