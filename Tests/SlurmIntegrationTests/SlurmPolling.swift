import CalFarmTestSupport
import Farm
import Foundation

/// Shared pieces of the integration tests: one client, unique names, scripts, and polling.
enum Cluster {
    static let client = SlurmClient(runner: SlurmCommandRunner(
        retryPolicy: SlurmRetryPolicy(maximumAttempts: 3, initialDelay: 0.5)))

    /// A job name no other test run uses, so name lookups find only this test's jobs.
    static func uniqueName(_ label: String) -> String {
        "calfarm-it-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Writes an executable bash script into `directory` and returns its path.
    static func script(_ directory: TemporaryDirectory, _ name: String, _ body: String) throws -> String {
        let path = directory.file(name)
        try ("#!/bin/bash\nset -eu\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// Polls `squeue` for `id` (a job or a whole array) until every entry is terminal; returns
    /// every snapshot seen, oldest first.
    static func watchQueue(_ id: SlurmJobID, timeout: Double = 120) throws -> [[SqueueRecord]] {
        var snapshots: [[SqueueRecord]] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let records = try client.queue([id])
            snapshots.append(records)
            if !records.isEmpty, records.allSatisfy(\.state.isTerminal) { return snapshots }
            Thread.sleep(forTimeInterval: 0.3)
        }
        throw Timeout(description: "squeue never showed \(id) finished: \(snapshots.last ?? [])")
    }

    /// Polls `squeue` until `id` reaches `state` (or `reason`), returning that record.
    static func waitInQueue(_ id: SlurmJobID, timeout: Double = 60,
                            until matches: (SqueueRecord) -> Bool) throws -> SqueueRecord {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [SqueueRecord] = []
        while Date() < deadline {
            last = try client.queue([id])
            if let hit = last.first(where: matches) { return hit }
            Thread.sleep(forTimeInterval: 0.3)
        }
        throw Timeout(description: "squeue never showed the awaited state of \(id): \(last)")
    }

    /// Polls `sacct` until it has settled on `ids`: at least `count` records (array tasks count
    /// one each), all terminal, none folded, none still named "allocation". SLURM 22.05's
    /// accounting lags the controller by several seconds: it first records a fresh job as
    /// "allocation" and adds array tasks one by one, so a single query right after squeue
    /// saw the end can be incomplete.
    static func finalAccounting(_ ids: [SlurmJobID], count: Int? = nil,
                                timeout: Double = 120) throws -> [SlurmJobID: SacctRecord] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [SacctRecord] = []
        while Date() < deadline {
            let result = try client.accounting(ids)
            if case .accountingDisabled(let message) = result {
                throw Timeout(description: "sacct unusable: \(message)")
            }
            last = result.records
            let covered = Set(last.map(\.id.job))
            if ids.allSatisfy({ covered.contains($0.job) }), last.count >= (count ?? ids.count),
               last.allSatisfy({ $0.state.isTerminal && $0.pendingArrayTasks == nil && $0.name != "allocation" }) {
                return Dictionary(last.map { ($0.id, $0) }, uniquingKeysWith: { _, new in new })
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw Timeout(description: "sacct never settled on \(ids): \(last)")
    }
}
