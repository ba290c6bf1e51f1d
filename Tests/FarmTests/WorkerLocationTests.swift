import Farm
import Foundation
import Testing

@Suite("Worker location: an absolute path whatever the current directory")
struct WorkerLocationTests {
    @Test("the running executable is resolved through /proc/self/exe, not argv[0] against the current directory")
    func runningExecutable() {
        let path = WorkerLocation.runningExecutable(environment: [:], argument0: "calfarm")
        #expect(path.hasPrefix("/"))
        #expect(FileManager.default.isExecutableFile(atPath: path))
        #expect(!path.hasPrefix(FileManager.default.currentDirectoryPath + "/calfarm"))
    }

    @Test("general.worker beats CALFARM_WORKER beats beside-the-program; relative paths become absolute")
    func precedence() {
        let beside = WorkerLocation.path(configured: nil, environment: [:])
        #expect(beside.hasSuffix("/calfarm-worker") && beside.hasPrefix("/"))
        #expect(WorkerLocation.path(configured: nil, environment: ["CALFARM_WORKER": "/opt/w"]) == "/opt/w")
        #expect(WorkerLocation.path(configured: "/site/w", environment: ["CALFARM_WORKER": "/opt/w"]) == "/site/w")
        let relative = WorkerLocation.path(configured: "bin/w", environment: [:])
        #expect(relative == FileManager.default.currentDirectoryPath + "/bin/w")
    }
}
