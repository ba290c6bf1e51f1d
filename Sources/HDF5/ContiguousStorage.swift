// Read-only memory maps of contiguous datasets. A hot reader that walks a large dataset block by
// block pays a kernel copy per byte through H5Dread (pread into a buffer); a map of the page
// cache costs one page-table entry per page instead. Only datasets stored contiguously, without
// filters and in the native element type qualify: their bytes in the file are the elements.
internal import CHDF5
import Glibc

/// Where a contiguous, unfiltered, native-typed dataset's elements lie in its file.
public struct ContiguousStorage: Sendable, Equatable {
    /// The file path (as opened).
    public let file: String
    /// The dataset's path in the file (for errors).
    public let object: String
    /// Byte offset of element 0 in the file.
    public let offset: Int
    /// Number of elements stored.
    public let elements: Int
    /// Bytes per element.
    public let elementSize: Int

    /// Maps elements `range` read-only. The mapping stays valid after the HDF5 file is closed
    /// and is released when the returned value is deinitialised.
    /// - Throws: `invalidArgument` naming the file and dataset when the range is outside the
    ///   dataset, the file is shorter than the dataset's storage (truncated: reading the map
    ///   would fault), or the system refuses the map.
    public func map<T: HDF5Scalar>(_ type: T.Type, elements range: Range<Int>) throws -> MappedElements<T> {
        guard MemoryLayout<T>.stride == elementSize else {
            throw HDF5Error.typeMismatch(file: file, object: object, expected: T.hdf5TypeName, found: "\(elementSize)-byte elements")
        }
        guard range.lowerBound >= 0, range.upperBound <= elements else {
            throw HDF5Error.invalidArgument(file: file, object: object, reason: "cannot map elements \(range) of \(elements)")
        }
        return try MappedElements(storage: self, range: range)
    }

    /// Asks the kernel to start reading elements `range` into the page cache in the background
    /// (a hint: errors are ignored), so the next block's I/O overlaps this block's computation
    /// when the file is not cached.
    public func prefetch(elements range: Range<Int>) {
        let clamped = range.clamped(to: 0..<elements)
        guard !clamped.isEmpty else { return }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = posix_fadvise(fd, off_t(offset + clamped.lowerBound * elementSize), off_t(clamped.count * elementSize),
                          Int32(POSIX_FADV_WILLNEED))
    }
}

/// A read-only view of some elements of a dataset, backed by the file's pages (no copy).
public final class MappedElements<T: HDF5Scalar> {
    /// The mapped elements.
    public let buffer: UnsafeBufferPointer<T>
    private let base: UnsafeMutableRawPointer
    private let length: Int

    fileprivate init(storage: ContiguousStorage, range: Range<Int>) throws {
        let failure = { (what: String) in
            HDF5Error.invalidArgument(file: storage.file, object: storage.object, reason: what)
        }
        let first = storage.offset + range.lowerBound * storage.elementSize
        let bytes = range.count * storage.elementSize
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let alignedStart = first / page * page
        let length = max(1, first + bytes - alignedStart)

        let fd = open(storage.file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open for mapping: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot stat for mapping: \(String(cString: strerror(errno)))") }
        guard Int(info.st_size) >= first + bytes else {
            throw failure("file is \(info.st_size) bytes but the dataset's storage ends at byte \(first + bytes) (truncated file?)")
        }
        // No MAP_POPULATE: faults map cached pages 16 at a time, which measured cheaper than
        // populating page by page; `prefetch` starts the reads of pages not yet cached.
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(alignedStart))
        guard let address, address != MAP_FAILED else {
            throw failure("mmap of \(length) bytes failed: \(String(cString: strerror(errno)))")
        }
        base = address
        self.length = length
        buffer = UnsafeBufferPointer(start: (address + (first - alignedStart)).assumingMemoryBound(to: T.self), count: range.count)
    }

    deinit { munmap(base, length) }
}

extension Dataset {
    /// Where this dataset's elements lie in the file, if they can be mapped as `T`: nil when the
    /// dataset is chunked or compact, filtered, not yet allocated, or stored in another type or
    /// byte order (read those through `read(into:selection:)`).
    public func contiguousStorage<T: HDF5Scalar>(of type: T.Type) throws -> ContiguousStorage? {
        try owner.requireOpen(site)
        guard elementClass == .numeric else { return nil }
        let plist = try Library.open(.propertyList, "get creation property list", site) { H5Dget_create_plist(handle.id) }
        let layout = try Library.call("get layout", site) { H5Pget_layout(plist.id).rawValue }
        guard layout == H5D_CONTIGUOUS.rawValue else { return nil }
        let filters = try Library.call("get filter count", site) { H5Pget_nfilters(plist.id) }
        guard filters == 0 else { return nil }
        let fileType = try storage.datatype()
        let native = try ElementType.native(T.self, site)
        let same = try Library.call("compare datatypes", site) { H5Tequal(fileType.id, native) }
        guard same > 0 else { return nil }
        let offset = try Library.withLock { H5Dget_offset(handle.id) }
        guard offset != haddr_t.max else { return nil }   // HADDR_UNDEF: storage not allocated
        let elements = try extent().shape.reduce(1, *)
        return ContiguousStorage(file: file, object: name, offset: Int(offset), elements: elements,
                                 elementSize: MemoryLayout<T>.stride)
    }
}
