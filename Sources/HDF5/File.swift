// HDF5 files: open (checking first that the path exists and is HDF5, so a bad input gives a
// clear error), create, and close with errors surfaced. Groups and datasets keep their file's
// handle alive, so `try File.open(p).root.dataset("x")` is safe. Files use libhdf5's "strong"
// close degree: `close()` closes every object opened through the file, so the file is really
// closed when `close()` returns. CalFarm takes no HDF5 file locks (see `makeAccessList`).
internal import CHDF5
import Foundation

/// An open HDF5 file. Not Sendable: use it from one task.
public final class File {
    public enum Mode: Sendable { case readOnly, readWrite }
    /// The path as given to `open` or `create`; every error from this file names it.
    public let path: String
    let handle: Handle
    private let rootGroup: Group

    private init(path: String, handle: Handle) throws {
        self.path = path
        self.handle = handle
        rootGroup = try Group(path: "/", in: handle, Site(file: path, object: "/"))
    }

    /// Opens an existing file.
    /// - Throws: `HDF5Error.notFound` if the path does not exist, `invalidArgument` if it is not
    ///   an HDF5 file, `call` with libhdf5's messages if it cannot be opened (e.g. truncated).
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> File {
        let site = Site(file: path, object: "")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw site.notFound() }
        guard !isDirectory.boolValue else { throw site.invalid("is a directory, not an HDF5 file") }
        let isHDF5 = try Library.call("check HDF5 signature", site) { H5Fis_hdf5(path) }
        guard isHDF5 > 0 else { throw site.invalid("not an HDF5 file (no HDF5 signature found)") }
        let access = try makeAccessList(site)
        let handle = try Library.open(.file, mode == .readOnly ? "open file read-only" : "open file read-write", site) {
            H5Fopen(path, mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr(), access.id)
        }
        return try File(path: path, handle: handle)
    }

    /// Creates (truncating) a file.
    public static func create(_ path: String) throws -> File {
        let site = Site(file: path, object: "")
        let access = try makeAccessList(site)
        let handle = try Library.open(.file, "create file", site) {
            H5Fcreate(path, chdf5_acc_trunc(), hid_t(H5P_DEFAULT), access.id)
        }
        return try File(path: path, handle: handle)
    }

    /// The root group `/`.
    public var root: Group { rootGroup }

    /// Whether `close()` has not been called yet.
    public var isOpen: Bool { handle.isOpen }

    /// Flushes and closes; errors surface here (deinit closes silently otherwise). Objects from
    /// this file refuse work afterwards.
    public func close() throws {
        let site = Site(file: path, object: "")
        guard handle.isOpen else { return }
        try Library.call("flush file", site) { H5Fflush(handle.id, H5F_SCOPE_GLOBAL) }
        try handle.close(site)
    }

    /// File access with the strong close degree (see the header comment).
    private static func makeAccessList(_ site: Site) throws -> Handle {
        let plist = try Library.open(.propertyList, "create file access property list", site) {
            H5Pcreate(chdf5_p_file_access())
        }
        try Library.call("set strong close degree", site) { H5Pset_fclose_degree(plist.id, H5F_CLOSE_STRONG) }
        // No flock(2) file locks. They only protect SWMR readers, which CalFarm does not use
        // (outputs are written under a temporary name and renamed into place), some parallel
        // filesystems refuse them, and a lock outlives `close()` while any process spawned in
        // that moment still holds a copy of the descriptor: a test reading a file just written
        // by its own thread failed with "unable to lock the file" (EAGAIN) while other tests
        // started worker processes.
        try Library.call("disable file locking", site) { H5Pset_file_locking(plist.id, false, true) }
        return plist
    }
}
