import Farm
import FarmContract
import Foundation

/// What the SLURM executor writes for a fresh submission, rebuilt from public API: the graph's
/// submission batches (array groups cut below MaxArraySize), and per batch one JSON Lines spec
/// file (`specs/<token>.jsonl`, a header line then line k + 1 for task k) and one rendered batch
/// script (`scripts/<token>.sbatch`), both written atomically. Only the `sbatch` call itself is
/// left out.
struct FarmSubmissionFiles {
    var graph: JobGraph
    var record: RequestRecord
    var configuration: Configuration

    /// The arrays `submit` would hand to `sbatch`, in submission order (as `Farm.submit` makes them).
    func batches() -> [SubmissionBatch] {
        SubmissionBatch.make(graph: graph, submitting: Set(graph.units.map(\.id)), active: [],
                             maxArraySize: configuration.maxArraySize, tokenPrefix: "\(record.id).s1")
    }

    /// Writes every batch's spec file; returns the bytes written.
    func writeSpecs(_ batches: [SubmissionBatch], workspace: RequestWorkspace) throws -> Int {
        let factory = JobSpecFactory(graph: graph, requestID: record.id, configurationYAML: record.configuration)
        var bytes = 0
        for batch in batches {
            let specs = batch.units.map { factory.makeSpec(for: $0, resultPath: workspace.resultPath(job: $0.id)) }
            let path = workspace.specFile(token: batch.token)
            try SpecFile.write(specs, to: path)
            bytes += try fileSize(path)
        }
        return bytes
    }

    /// Renders and writes every batch's script (the last one carries the mail); returns the bytes.
    func writeScripts(_ batches: [SubmissionBatch], workspace: RequestWorkspace, workerPath: String) throws -> Int {
        let renderer = try ScriptRenderer(configuration: configuration)
        var bytes = 0
        for (i, batch) in batches.enumerated() {
            let script = ArrayScript(
                group: batch.group, tasks: batch.units.count, resources: batch.resources,
                configuration: configuration, requestID: record.id, token: batch.token, logDirectory: workspace.logs,
                specFile: workspace.specFile(token: batch.token), workerPath: workerPath,
                isMailCarrier: i == batches.count - 1)
            let data = Data(try renderer.render(script).utf8)
            try AtomicFile.write(data, to: workspace.scriptFile(token: batch.token))
            bytes += data.count
        }
        return bytes
    }

    /// The store's bookkeeping around each `sbatch` call: the token before, the attempts after
    /// (with their log paths). `jobIDBase` stands in for the ids SLURM would return.
    func recordSubmissions(_ batches: [SubmissionBatch], store: FarmStore, workspace: RequestWorkspace,
                           jobIDBase: Int = 1_000_000) throws {
        for (i, batch) in batches.enumerated() {
            let carried = batch.units.enumerated().map { SubmittedJob(job: $1.id, arrayTaskID: $0 + 1) }
            try store.recordSubmissionToken(batch.token, request: record.id, arrayGroup: batch.group, jobs: carried)
            let jobID = String(jobIDBase + i)
            try store.markSubmitted(token: batch.token, slurmJobID: jobID,
                                    logPaths: workspace.logPaths(group: batch.group, jobID: jobID))
        }
    }

    /// Creates the workspace directories (`RequestWorkspace.create` is internal to Farm).
    static func createDirectories(_ workspace: RequestWorkspace) throws {
        for directory in [workspace.specs, workspace.scripts, workspace.results, workspace.logs] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    private func fileSize(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FarmBenchError.io(path: path, reason: String(cString: strerror(errno))) }
        return Int(info.st_size)
    }
}

/// Failures of the farm benchmarks, naming the file or value concerned.
enum FarmBenchError: Error, CustomStringConvertible {
    case io(path: String, reason: String)
    case badOption(String)
    case unexpected(String)

    var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .badOption(text): return "bad option: \(text)"
        case let .unexpected(text): return text
        }
    }
}
