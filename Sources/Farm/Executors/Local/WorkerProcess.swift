import Foundation

/// One worker process started by the local executor: stdout and stderr go to a log file, and a
/// time limit is enforced the way SLURM does it (SIGTERM, then SIGKILL after a grace period).
final class WorkerProcess: @unchecked Sendable {  // state is guarded by `lock`
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    let process = Process()
    private let lock = NSLock()
    private var deadlineHit = false
    private var timer: DispatchSourceTimer?

    /// Starts `executable arguments…`, appending output to `logPath`.
    init(executable: String, arguments: [String], environment: [String: String], logPath: String,
         timeLimitSeconds: Int?, onEnd: @escaping @Sendable (Ending) -> Void) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)  // failure surfaces just below
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw FarmError.io(path: logPath, reason: "cannot open log file for writing")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] p in
            try? log.close()
            guard let self else { return }
            self.lock.lock()
            self.timer?.cancel()
            let timedOut = self.deadlineHit
            self.lock.unlock()
            if timedOut {
                onEnd(.timedOut)
            } else if p.terminationReason == .uncaughtSignal {
                onEnd(.signalled(p.terminationStatus))
            } else {
                onEnd(.exited(p.terminationStatus))
            }
        }
        do {
            try process.run()
        } catch {
            throw FarmError.io(path: executable, reason: "cannot start worker: \(error.localizedDescription)")
        }
        if let limit = timeLimitSeconds {
            let t = DispatchSource.makeTimerSource(queue: .global())
            t.schedule(deadline: .now() + .seconds(limit))
            t.setEventHandler { [weak self] in self?.expire() }
            lock.lock(); timer = t; lock.unlock()
            t.resume()
        }
    }

    private func expire() {
        lock.lock(); deadlineHit = true; lock.unlock()
        process.terminate()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(5)) { [weak self] in
            if self?.process.isRunning == true { kill(pid, SIGKILL) }
        }
    }

    /// Stops the worker now (cancel).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
    }
}
