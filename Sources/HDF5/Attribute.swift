// Attributes on groups and datasets: numeric scalars and 1-D arrays, and strings stored as
// scalar variable-length UTF-8 (what h5py writes for `attrs[k] = "text"`). Setting an existing
// attribute replaces it, as h5py does.
internal import CHDF5

/// Objects that carry attributes (groups, datasets).
public protocol AttributeHolder {
    /// Sets a scalar numeric attribute, replacing any attribute of that name.
    func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws
    /// Sets a 1-D numeric array attribute, replacing any attribute of that name.
    func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws
    /// Sets a scalar variable-length UTF-8 string attribute, replacing any attribute of that name.
    func setAttribute(_ name: String, _ value: String) throws
    /// Reads a numeric attribute holding exactly one element, converting to `T`.
    func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T
    /// Reads every element of a numeric attribute (any rank, flattened), converting to `T`.
    func attributeArray<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T]
    /// Reads a string attribute holding one element (variable or fixed length).
    func stringAttribute(_ name: String) throws -> String
    func hasAttribute(_ name: String) -> Bool
}

/// The attributes of one open group or dataset.
struct AttributeSet {
    /// The group or dataset.
    let object: Handle
    /// The file's handle, to refuse work after `File.close()`.
    let owner: Handle
    let site: Site

    func set<T: HDF5Scalar>(_ name: String, _ values: [T], scalar: Bool) throws {
        let storage = try create(name, shape: scalar ? [] : [values.count]) { try ElementType.native(T.self, $0) }
        guard !values.isEmpty else { return }
        let memType = try ElementType.native(T.self, storage.site)
        try values.withUnsafeBytes { try storage.write(memType: memType, from: $0.baseAddress!) }
    }

    func setString(_ name: String, _ value: String) throws {
        var stringType: Handle?
        let storage = try create(name, shape: []) { attributeSite in
            let type = try ElementStorage.makeUTF8StringType(attributeSite)
            stringType = type
            return type.id
        }
        try withExtendedLifetime(stringType) { try storage.writeStrings([value]) }
    }

    func numbers<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> (values: [T], shape: [Int]) {
        let storage = try open(name)
        try storage.requireNumeric(T.self)
        let space = try storage.dataspace()
        let shape = try space.extent().shape
        let count = try space.elementCount()
        let memType = try ElementType.native(T.self, storage.site)
        let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { try storage.read(memType: memType, into: buffer.baseAddress!) }
            initialized = count
        }
        return (values, shape)
    }

    func scalar<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T {
        let (values, shape) = try numbers(name, as: T.self)
        guard values.count == 1 else { throw site.attribute(name).shapeMismatch(expected: [], found: shape) }
        return values[0]
    }

    func string(_ name: String) throws -> String {
        let strings = try open(name).readStrings()
        guard strings.count == 1 else {
            throw site.attribute(name).shapeMismatch(expected: [], found: [strings.count])
        }
        return strings[0]
    }

    func contains(_ name: String) -> Bool {
        guard owner.isOpen else { return false }
        return ((try? Library.call("check attribute exists", site.attribute(name)) {
            H5Aexists(object.id, name)
        }) ?? 0) > 0
    }

    private func open(_ name: String) throws -> ElementStorage {
        let attributeSite = site.attribute(name)
        try owner.requireOpen(attributeSite)
        guard contains(name) else { throw attributeSite.notFound() }
        let handle = try Library.open(.attribute, "open attribute", attributeSite) {
            H5Aopen(object.id, name, hid_t(H5P_DEFAULT))
        }
        return ElementStorage(kind: .attribute, handle: handle, site: attributeSite)
    }

    /// Creates attribute `name` (deleting an existing one) with the type `makeType` returns.
    private func create(_ name: String, shape: [Int],
                        type makeType: (Site) throws -> hid_t) throws -> ElementStorage {
        let attributeSite = site.attribute(name)
        try owner.requireOpen(attributeSite)
        if contains(name) {
            try Library.call("delete existing attribute", attributeSite) { H5Adelete(object.id, name) }
        }
        let type = try makeType(attributeSite)
        let space = try Dataspace.create(shape, attributeSite)
        let handle = try Library.open(.attribute, "create attribute", attributeSite) {
            H5Acreate2(object.id, name, type, space.handle.id, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        }
        return ElementStorage(kind: .attribute, handle: handle, site: attributeSite)
    }
}
