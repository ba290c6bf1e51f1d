import CalFarmTestSupport
import FarmContract
import Foundation
import Testing
@testable import Farm

@Suite("Store: opening, migrations and journal mode")
struct StoreOpeningTests {
    @Test("an empty database is created with its parent directories and migrated to the current schema")
    func migratesEmptyDatabase() throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("a/b/calfarm.sqlite")

        let store = try FarmStore(path: path)

        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try Migrations.version(of: store.connection) == FarmStore.schemaVersion)
        let tables = try StoreFixture.tableNames(store)
        for table in ["request", "jobUnit", "dependencySet", "attempt", "submission", "submissionJob", "event", "jobCount"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        #expect(try store.connection.integer("PRAGMA foreign_keys") == 1)
    }

    @Test("reopening a migrated database changes nothing and keeps its data")
    func reopeningIsIdempotent() throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("calfarm.sqlite")
        do {
            let store = try FarmStore(path: path)
            let (jobs, edges) = StoreFixture.plan("r1", pairs: 4)
            try store.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        }

        let reopened = try FarmStore(path: path)

        #expect(try Migrations.version(of: reopened.connection) == FarmStore.schemaVersion)
        #expect(try reopened.jobs(request: "r1").count == 9)
        #expect(try reopened.request("r1") == StoreFixture.request("r1"))
    }

    @Test("a database made by the current migrations gains a later migration in place, data intact")
    func appliesLaterMigrations() throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("calfarm.sqlite")
        // Given a database at the current version holding a request
        do {
            let current = try FarmStore(path: path, journal: .auto, busyTimeout: .seconds(1), readOnly: false,
                                   migrations: Migrations.all)
            let (jobs, edges) = StoreFixture.plan("r1", pairs: 2)
            try current.createRequest(StoreFixture.request("r1"), jobs: jobs, dependencies: edges)
        }
        // When code with one more step opens it
        let next = Migrations.latestVersion + 1
        let nextStep = Migration(version: next, name: "request note", sql: """
            ALTER TABLE request ADD COLUMN note TEXT;
            CREATE INDEX request_state ON request(state);
            """)
        let newer = try FarmStore(path: path, journal: .auto, busyTimeout: .seconds(1), readOnly: false,
                               migrations: Migrations.all + [nextStep])
        // Then the step ran once and the old rows are still there
        #expect(try Migrations.version(of: newer.connection) == next)
        #expect(try newer.connection.integer("SELECT count(*) FROM pragma_table_info('request') WHERE name = 'note'") == 1)
        #expect(try newer.request("r1")?.measurement == .dark)
        #expect(try newer.statusCounts(request: "r1")[.gather]?[.planned] == 2)
    }

    @Test("a database newer than this code is refused and left untouched")
    func refusesNewerSchema() throws {
        let directory = try TemporaryDirectory("store")
        let path = directory.file("calfarm.sqlite")
        do {
            let store = try StoreFixture.store(pairs: 1, in: directory)
            try store.connection.execute("PRAGMA user_version = 99")
        }

        #expect(throws: StoreError.schemaTooNew(path: directory.file("state/calfarm.sqlite"), found: 99,
                                                supported: FarmStore.schemaVersion)) {
            _ = try FarmStore(path: directory.file("state/calfarm.sqlite"))
        }
        // Opening a different (new) path works, and the refused file still holds its data.
        _ = try FarmStore(path: path)
        let raw = try SQLiteConnection(path: directory.file("state/calfarm.sqlite"), readOnly: true, create: false)
        #expect(try raw.integer("PRAGMA user_version") == 99)
        #expect(try raw.integer("SELECT count(*) FROM jobUnit") == 3)
    }

    @Test("a read-only open reads the current schema and refuses an unmigrated file")
    func readOnlyOpen() throws {
        let directory = try TemporaryDirectory("store")
        let store = try StoreFixture.store(pairs: 2, in: directory)
        let reader = try FarmStore(path: store.path, readOnly: true)
        #expect(try reader.statusCounts(request: "r1")[.process]?[.planned] == 2)
        #expect(throws: StoreError.self) { try reader.setRequestState(.running, request: "r1") }

        let empty = directory.file("empty.sqlite")
        _ = try SQLiteConnection(path: empty, readOnly: false, create: true)
        #expect(throws: StoreError.schemaTooOld(path: empty, found: 0, required: FarmStore.schemaVersion)) {
            _ = try FarmStore(path: empty, readOnly: true)
        }
        #expect(throws: StoreError.self) { _ = try FarmStore(path: directory.file("missing.sqlite"), readOnly: true) }
    }

    @Test("the local temporary filesystem gets WAL; a forced policy wins")
    func journalModeFollowsFilesystem() throws {
        let directory = try TemporaryDirectory("store")
        let filesystem = FilesystemKind.of(path: directory.path)
        try #require(!filesystem.isShared, "the temporary directory is on \(filesystem)")

        let auto = try FarmStore(path: directory.file("auto.sqlite"))
        #expect(auto.journalMode == .wal)
        #expect(try auto.connection.text("PRAGMA journal_mode") == "wal")

        let forced = try FarmStore(path: directory.file("delete.sqlite"), journal: .delete)
        #expect(forced.journalMode == .delete)
        #expect(try forced.connection.text("PRAGMA journal_mode") == "delete")
        #expect(JournalModePolicy.auto.resolve(forDirectory: directory.path).mode == .wal)
    }

    @Test("the mount holding a path decides: NFS, Lustre, GPFS, BeeGFS and FUSE are shared")
    func classifiesMounts() {
        let mountinfo = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            30 22 0:40 / /home rw,relatime shared:5 - nfs4 server:/home rw,vers=4.2
            31 22 0:41 / /gpfs/exfel rw - gpfs exfel rw
            32 22 0:42 / /lustre rw - lustre 10.0.0.1@o2ib:/fs rw
            33 22 0:43 / /beegfs rw - beegfs beegfs_nodev rw
            34 22 0:44 / /mnt/ssh rw,nosuid shared:9 master:2 - fuse.sshfs host:/ rw
            35 22 0:45 / /scratch\\040local rw - xfs /dev/sdb rw
            36 30 0:46 / /home/user/tmp rw - tmpfs tmpfs rw
            """
        func kind(_ path: String) -> FilesystemKind {
            FilesystemKind.classify(typeName: FilesystemKind.mountType(of: path, mountinfo: mountinfo) ?? "unknown")
        }
        #expect(kind("/home/user/.calfarm") == FilesystemKind(name: "nfs4", isShared: true))
        #expect(kind("/home/user/tmp/db") == FilesystemKind(name: "tmpfs", isShared: false))
        #expect(kind("/gpfs/exfel/u/db").isShared)
        #expect(kind("/lustre/x").isShared)
        #expect(kind("/beegfs/x").isShared)
        #expect(kind("/mnt/ssh/x").name == "fuse.sshfs")
        #expect(kind("/mnt/ssh/x").isShared)
        #expect(kind("/scratch local/db") == FilesystemKind(name: "xfs", isShared: false))
        #expect(kind("/homework") == FilesystemKind(name: "ext4", isShared: false))
        #expect(FilesystemKind.classify(typeName: "somethingnew").isShared)
    }

    @Test("auto picks the rollback journal on every network or cluster filesystem, WAL on local ones")
    func autoPolicyOnSharedFilesystem() {
        for name in FilesystemKind.knownSharedTypes.union(["fuse.glusterfs", "fuse.ceph-fuse"]) {
            #expect(JournalModePolicy.auto.mode(on: .classify(typeName: name)) == .delete, "\(name)")
        }
        for name in ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"] {
            #expect(JournalModePolicy.auto.mode(on: .classify(typeName: name)) == .wal, "\(name)")
        }
        #expect(JournalModePolicy.wal.mode(on: .classify(typeName: "nfs")) == .wal)
        #expect(JournalModePolicy.delete.mode(on: .classify(typeName: "ext4")) == .delete)
    }
}
