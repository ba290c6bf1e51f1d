// What datasets and attributes have in common: typed elements in a dataspace, read and written
// with a memory type. They differ only in which C functions do it, so the numeric and string
// handling (variable-length UTF-8 like h5py's `str`, fixed-length like numpy's `S5`) lives here once.
internal import CHDF5

/// A dataset or an attribute, seen as a store of elements.
struct ElementStorage {
    enum Kind { case dataset, attribute }
    let kind: Kind
    let handle: Handle
    let site: Site

    func datatype() throws -> Handle {
        try Library.open(.datatype, "get datatype", site) {
            kind == .dataset ? H5Dget_type(handle.id) : H5Aget_type(handle.id)
        }
    }

    func dataspace() throws -> Dataspace {
        Dataspace(handle: try Library.open(.dataspace, "get dataspace", site) {
            kind == .dataset ? H5Dget_space(handle.id) : H5Aget_space(handle.id)
        }, site: site)
    }

    /// Reads into `buffer` converting to `memType`; nil spaces mean the whole extent
    /// (attributes are always read whole).
    func read(memType: hid_t, memSpace: Dataspace? = nil, fileSpace: Dataspace? = nil,
              into buffer: UnsafeMutableRawPointer) throws {
        try Library.call("read", site) {
            switch kind {
            case .dataset:
                H5Dread(handle.id, memType, memSpace?.handle.id ?? chdf5_s_all(),
                        fileSpace?.handle.id ?? chdf5_s_all(), hid_t(H5P_DEFAULT), buffer)
            case .attribute:
                H5Aread(handle.id, memType, buffer)
            }
        }
    }

    /// Writes from `buffer` converting from `memType`; nil spaces mean the whole extent.
    /// `transfer` is a dataset transfer property list (default: libhdf5's).
    func write(memType: hid_t, memSpace: Dataspace? = nil, fileSpace: Dataspace? = nil,
               transfer: hid_t = hid_t(H5P_DEFAULT), from buffer: UnsafeRawPointer) throws {
        try Library.call("write", site) {
            switch kind {
            case .dataset:
                H5Dwrite(handle.id, memType, memSpace?.handle.id ?? chdf5_s_all(),
                         fileSpace?.handle.id ?? chdf5_s_all(), transfer, buffer)
            case .attribute:
                H5Awrite(handle.id, memType, buffer)
            }
        }
    }

    /// Throws `typeMismatch` unless the stored elements are numbers (integers or floats).
    func requireNumeric<T: HDF5Scalar>(_ type: T.Type) throws {
        let (elementClass, name) = try ElementType.describe(datatype(), site)
        guard elementClass == .numeric else { throw site.typeMismatch(expected: T.hdf5TypeName, found: name) }
    }

    /// Every element as a string, in storage order; variable or fixed length, UTF-8 or ASCII.
    func readStrings() throws -> [String] {
        let type = try datatype()
        let (elementClass, name) = try ElementType.describe(type, site)
        guard elementClass == .string else { throw site.typeMismatch(expected: "string", found: name) }
        let space = try dataspace()
        let count = try space.elementCount()
        guard count > 0 else { return [] }
        let isVariable = try Library.call("check for variable-length string", site) { H5Tis_variable_str(type.id) } > 0
        let cset = try Library.call("get string character set", site) { H5Tget_cset(type.id).rawValue }
        if isVariable {
            let memType = try Self.makeStringType(length: nil, cset: cset, site)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBufferPointer { try read(memType: memType.id, into: $0.baseAddress!) }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            // libhdf5 allocated each string; give them back through it.
            try Library.call("reclaim variable-length strings", site) {
                H5Dvlen_reclaim(memType.id, space.handle.id, hid_t(H5P_DEFAULT), &pointers)
            }
            return strings
        }
        let length = try Library.call("get string length", site, failed: { $0 == 0 }) { H5Tget_size(type.id) }
        let padding = try Library.call("get string padding", site) { H5Tget_strpad(type.id).rawValue }
        let memType = try Self.makeStringType(length: length, cset: cset, site)
        try Library.call("set string padding", site) { H5Tset_strpad(memType.id, H5T_str_t(rawValue: padding)) }
        var bytes = [UInt8](repeating: 0, count: count * length)
        try bytes.withUnsafeMutableBytes { try read(memType: memType.id, into: $0.baseAddress!) }
        return (0..<count).map { index in
            var element = bytes[(index * length)..<((index + 1) * length)]
            if let nul = element.firstIndex(of: 0) { element = element[..<nul] }
            if padding == H5T_STR_SPACEPAD.rawValue {
                while element.last == UInt8(ascii: " ") { element = element.dropLast() }
            }
            return String(decoding: element, as: UTF8.self)
        }
    }

    /// Writes `values` (one per element) into storage of variable-length string type.
    func writeStrings(_ values: [String]) throws {
        guard !values.isEmpty else { return }
        let memType = try Self.makeStringType(length: nil, cset: H5T_CSET_UTF8.rawValue, site)
        // One buffer of NUL-terminated UTF-8 and pointers into it: no per-string allocation.
        var bytes: [CChar] = []
        var offsets: [Int] = []
        for value in values {
            offsets.append(bytes.count)
            bytes.append(contentsOf: value.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        // Converting strings goes through libhdf5's type-conversion buffer, 1 MiB by default and
        // zeroed at every write: a 16-byte-per-string buffer is enough (a fifth of a process
        // unit's time was that zeroing, for the few short strings of each product's collection).
        let transfer = try Library.open(.propertyList, "create dataset transfer property list", site) {
            H5Pcreate(chdf5_p_dataset_xfer())
        }
        let bufferBytes = max(4096, 64 * values.count)
        try Library.call("set type conversion buffer", site) { H5Pset_buffer(transfer.id, bufferBytes, nil, nil) }
        try bytes.withUnsafeBufferPointer { text in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { text.baseAddress! + $0 }
            try pointers.withUnsafeBufferPointer {
                try write(memType: memType.id, transfer: transfer.id, from: $0.baseAddress!)
            }
        }
    }

    /// A string type: variable length (`length` nil, as h5py writes `str`) or fixed length.
    static func makeStringType(length: Int?, cset: Int32, _ site: Site) throws -> Handle {
        let type = try Library.open(.datatype, "copy string type", site) { H5Tcopy(chdf5_c_s1()) }
        try Library.call("set string length", site) { H5Tset_size(type.id, length ?? chdf5_variable()) }
        try Library.call("set string character set", site) { H5Tset_cset(type.id, H5T_cset_t(rawValue: cset)) }
        return type
    }

    /// The variable-length UTF-8 string type h5py uses for `str`.
    static func makeUTF8StringType(_ site: Site) throws -> Handle {
        try makeStringType(length: nil, cset: H5T_CSET_UTF8.rawValue, site)
    }
}
