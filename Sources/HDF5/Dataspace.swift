// Dataspaces: the extent of a dataset or attribute, and selections within it. Reads and writes
// use a memory dataspace of the same rank as the file selection (a different rank made reads
// about 9x slower here).
internal import CHDF5

/// An open dataspace id with the site it belongs to.
struct Dataspace {
    let handle: Handle
    let site: Site

    /// A new simple dataspace of `shape` (scalar when `shape` is empty); `maxShape` entries of
    /// nil are unlimited, a nil `maxShape` fixes the maximum at `shape`.
    static func create(_ shape: [Int], maxShape: [Int?]? = nil, _ site: Site) throws -> Dataspace {
        if shape.isEmpty {
            return Dataspace(handle: try Library.open(.dataspace, "create scalar dataspace", site) {
                H5Screate(H5S_SCALAR)
            }, site: site)
        }
        let dims = shape.map { hsize_t($0) }
        let maxDims: [hsize_t]? = maxShape.map { $0.map { $0.map { hsize_t($0) } ?? chdf5_unlimited() } }
        let handle = try Library.open(.dataspace, "create dataspace \(shape)", site) {
            dims.withUnsafeBufferPointer { dimsBuffer in
                if let maxDims {
                    maxDims.withUnsafeBufferPointer { H5Screate_simple(Int32(shape.count), dimsBuffer.baseAddress, $0.baseAddress) }
                } else {
                    H5Screate_simple(Int32(shape.count), dimsBuffer.baseAddress, nil)
                }
            }
        }
        return Dataspace(handle: handle, site: site)
    }

    /// Current and maximum extent; an unlimited maximum is reported as nil.
    func extent() throws -> (shape: [Int], maxShape: [Int?]) {
        let rank = try Library.call("get dataspace rank", site) { H5Sget_simple_extent_ndims(handle.id) }
        guard rank > 0 else { return ([], []) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        var maxDims = [hsize_t](repeating: 0, count: Int(rank))
        try Library.call("get dataspace extent", site) { H5Sget_simple_extent_dims(handle.id, &dims, &maxDims) }
        let unlimited = Library.withLock { chdf5_unlimited() }
        return (dims.map { Int($0) }, maxDims.map { $0 == unlimited ? nil : Int($0) })
    }

    /// Number of elements in the extent.
    func elementCount() throws -> Int {
        Int(try Library.call("count dataspace elements", site) { H5Sget_simple_extent_npoints(handle.id) })
    }

    /// Replaces the selection with `hyperslab` (which the caller has validated).
    func select(_ hyperslab: Hyperslab) throws {
        let start = hyperslab.start.map { hsize_t($0) }
        let count = hyperslab.count.map { hsize_t($0) }
        try Library.call("select hyperslab", site) {
            H5Sselect_hyperslab(handle.id, H5S_SELECT_SET, start, nil, count, nil)
        }
    }
}
