// CalFarm's HDF5 files take no flock(2) locks (File.makeAccessList explains why); the kernel's
// lock table, /proc/locks, lists the inode of every file that holds one.
import CalFarmTestSupport
import Foundation
import HDF5
import Testing

@Suite("HDF5 file locking")
struct FileLockingTests {
    /// The inode numbers /proc/locks lists (its fifth field is `major:minor:inode`).
    static func lockedInodes() throws -> Set<UInt64> {
        let table = try String(contentsOfFile: "/proc/locks", encoding: .utf8)
        return Set(table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let device = fields.first(where: { $0.filter { $0 == ":" }.count == 2 }) else { return nil }
            return device.split(separator: ":").last.flatMap { UInt64($0) }
        })
    }

    static func inode(_ path: String) throws -> UInt64 {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value)
    }

    @Test func filesOpenForWritingOrReadingHoldNoLock() throws {
        let directory = try TemporaryDirectory("hdf5-locks")
        let path = directory.file("l.h5")
        let writing = try File.create(path)
        try writing.root.write("values", [UInt16](repeating: 7, count: 16), shape: [16])
        #expect(!(try Self.lockedInodes().contains(Self.inode(path))))
        try writing.close()

        let reading = try File.open(path)
        #expect(!(try Self.lockedInodes().contains(Self.inode(path))))
        #expect(try reading.root.dataset("values").read(UInt16.self) == [UInt16](repeating: 7, count: 16))
        try reading.close()
    }
}
