// Groups: navigation (open, create with intermediate groups, exists, children), dataset
// creation and opening (always with a sized chunk cache), string datasets, and attributes.
internal import CHDF5

/// A group; paths are relative to it and may contain `/` (a leading `/` starts at the root).
public final class Group: AttributeHolder {
    /// The file path (as opened).
    public let file: String
    /// The absolute path of this group in the file (`/` for the root).
    public let name: String
    let handle: Handle
    /// The file's handle: keeps the file open while this group lives.
    let owner: Handle
    let site: Site

    init(handle: Handle, owner: Handle, site: Site) {
        self.file = site.file
        self.name = site.object
        self.handle = handle
        self.owner = owner
        self.site = site
    }

    /// Opens the group at `path` from the file's root (used for `/`).
    convenience init(path: String, in owner: Handle, _ site: Site) throws {
        let handle = try Library.open(.group, "open group", site) { H5Gopen2(owner.id, path, hid_t(H5P_DEFAULT)) }
        self.init(handle: handle, owner: owner, site: site)
    }

    private var attributes: AttributeSet { AttributeSet(object: handle, owner: owner, site: site) }

    /// Opens an existing group.
    /// - Throws: `notFound` if nothing is at `path`, `typeMismatch` if it is not a group.
    public func group(_ path: String) throws -> Group {
        let target = site.child(path)
        try requireObject(at: path, is: H5I_GROUP, named: "group", target)
        let group = try Library.open(.group, "open group", target) { H5Gopen2(handle.id, path, hid_t(H5P_DEFAULT)) }
        return Group(handle: group, owner: owner, site: target)
    }

    /// Creates the group and any missing intermediate groups.
    /// - Throws: `invalidArgument` if something already exists at `path`.
    public func createGroup(_ path: String) throws -> Group {
        let target = site.child(path)
        try owner.requireOpen(target)
        guard !exists(path) else { throw target.invalid("cannot create group: an object already exists there") }
        let links = try DatasetOptions.makeLinkCreationList(target)
        let group = try Library.open(.group, "create group", target) {
            H5Gcreate2(handle.id, path, links.id, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        }
        return Group(handle: group, owner: owner, site: target)
    }

    /// Whether an object (group or dataset) exists at `path`; false for a closed file or a
    /// dangling soft link.
    public func exists(_ path: String) -> Bool {
        guard owner.isOpen else { return false }
        guard path.contains(where: { $0 != "/" }) else { return true }
        // One traversal: H5Oexists_by_name is true for an object, false for a missing last link
        // or a dangling soft link, and fails when an intermediate link is missing (checking every
        // prefix with H5Lexists instead made a 6-level path cost 21 lookups, most of
        // `calfarm-worker inspect`'s time).
        return ((try? Library.call("check object exists", site) {
            H5Oexists_by_name(handle.id, path, hid_t(H5P_DEFAULT))
        }) ?? 0) > 0
    }

    /// Names of direct children, sorted.
    public func children() throws -> [String] {
        try owner.requireOpen(site)
        var info = H5G_info_t()
        try Library.call("get group info", site) { H5Gget_info(handle.id, &info) }
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = try Library.call("get child name length", site) {
                H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT))
            }
            var bytes = [CChar](repeating: 0, count: Int(length) + 1)
            try bytes.withUnsafeMutableBufferPointer { name in
                try Library.call("get child name", site) {
                    H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, name.baseAddress, name.count,
                                       hid_t(H5P_DEFAULT))
                }
                names.append(String(cString: name.baseAddress!))
            }
        }
        return names.sorted()
    }

    /// Opens an existing dataset with a chunk cache of `chunkCacheBytes`.
    /// - Throws: `notFound` if nothing is at `path`, `typeMismatch` if it is a group.
    public func dataset(_ path: String, chunkCacheBytes: Int = 64 << 20) throws -> Dataset {
        let target = site.child(path)
        try requireObject(at: path, is: H5I_DATASET, named: "dataset", target)
        let access = try DatasetOptions.makeAccessList(chunkCacheBytes: chunkCacheBytes, target)
        let dataset = try Library.open(.dataset, "open dataset", target) { H5Dopen2(handle.id, path, access.id) }
        return try Dataset(handle: dataset, owner: owner, site: target)
    }

    /// Creates a dataset (intermediate groups created). Scalar datasets have shape [].
    /// - Throws: `invalidArgument` for inconsistent options or an existing object at `path`.
    public func createDataset<T: HDF5Scalar>(_ path: String, of type: T.Type, shape: [Int],
                                             options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        let target = site.child(path)
        try options.validate(shape: shape, target)
        let space = try Dataspace.create(shape, maxShape: options.maxShape, target)
        let creation = try options.makeCreationList(rank: shape.count, target)
        let elementType = try ElementType.native(T.self, target)
        return try makeDataset(path, type: elementType, space: space, creation: creation,
                               chunkCacheBytes: options.chunkCacheBytes, target)
    }

    /// Creates and writes a dataset in one call.
    /// - Throws: `shapeMismatch` if `values.count` is not the product of `shape`.
    @discardableResult
    public func write<T: HDF5Scalar>(_ path: String, _ values: [T], shape: [Int],
                                     options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        let expected = shape.reduce(1, *)
        guard values.count == expected else {
            throw site.child(path).shapeMismatch(expected: shape, found: [values.count])
        }
        let dataset = try createDataset(path, of: T.self, shape: shape, options: options)
        try dataset.write(values)
        return dataset
    }

    /// Scalar variable-length UTF-8 string dataset (what h5py writes for `f[k] = "text"`).
    public func writeString(_ path: String, _ value: String) throws {
        try createStringDataset(path, shape: []).writeStrings([value])
    }

    /// 1-D variable-length UTF-8 string dataset.
    public func writeStrings(_ path: String, _ values: [String]) throws {
        try createStringDataset(path, shape: [values.count]).writeStrings(values)
    }

    /// Reads a string dataset holding one element (variable or fixed length).
    public func readString(_ path: String) throws -> String {
        let dataset = try dataset(path, chunkCacheBytes: DatasetOptions.smallChunkCacheBytes)
        let strings = try dataset.readStrings()
        guard strings.count == 1 else { throw dataset.site.shapeMismatch(expected: [], found: dataset.shape) }
        return strings[0]
    }

    /// Reads a 1-D string dataset (variable or fixed length; other ranks are flattened).
    public func readStrings(_ path: String) throws -> [String] {
        try dataset(path, chunkCacheBytes: DatasetOptions.smallChunkCacheBytes).readStrings()
    }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws { try attributes.set(name, [value], scalar: true) }
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws { try attributes.set(name, values, scalar: false) }
    public func setAttribute(_ name: String, _ value: String) throws { try attributes.setString(name, value) }
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T { try attributes.scalar(name, as: T.self) }
    public func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] { try attributes.numbers(name, as: T.self).values }
    public func stringAttribute(_ name: String) throws -> String { try attributes.string(name) }
    public func hasAttribute(_ name: String) -> Bool { attributes.contains(name) }

    // MARK: - Internals

    private func createStringDataset(_ path: String, shape: [Int]) throws -> ElementStorage {
        let target = site.child(path)
        let space = try Dataspace.create(shape, target)
        let creation = try DatasetOptions().makeCreationList(rank: shape.count, target)
        let stringType = try ElementStorage.makeUTF8StringType(target)
        let dataset = try withExtendedLifetime(stringType) {
            try makeDataset(path, type: stringType.id, space: space, creation: creation, chunkCacheBytes: 1 << 20, target)
        }
        return dataset.storage
    }

    private func makeDataset(_ path: String, type: hid_t, space: Dataspace, creation: Handle,
                             chunkCacheBytes: Int, _ target: Site) throws -> Dataset {
        try owner.requireOpen(target)
        guard !exists(path) else { throw target.invalid("cannot create dataset: an object already exists there") }
        let links = try DatasetOptions.makeLinkCreationList(target)
        let access = try DatasetOptions.makeAccessList(chunkCacheBytes: chunkCacheBytes, target)
        let dataset = try Library.open(.dataset, "create dataset", target) {
            H5Dcreate2(handle.id, path, type, space.handle.id, links.id, creation.id, access.id)
        }
        return try Dataset(handle: dataset, owner: owner, site: target)
    }

    /// Throws `notFound` unless an object of kind `kind` exists at `path`, `typeMismatch` if another kind.
    private func requireObject(at path: String, is kind: H5I_type_t, named kindName: String, _ target: Site) throws {
        try owner.requireOpen(target)
        guard exists(path) else { throw target.notFound() }
        let object = try Library.open(.object, "open object", target) { H5Oopen(handle.id, path, hid_t(H5P_DEFAULT)) }
        let found = try Library.call("get object kind", target) { H5Iget_type(object.id).rawValue }
        guard found == kind.rawValue else {
            throw target.typeMismatch(expected: kindName, found: found == H5I_GROUP.rawValue ? "group"
                                      : found == H5I_DATASET.rawValue ? "dataset" : "a named datatype")
        }
    }
}
