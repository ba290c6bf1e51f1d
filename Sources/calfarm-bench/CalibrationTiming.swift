import Foundation

/// One timed quantity: its repeats (seconds) and the bytes it moves per repeat.
struct CalibrationSample {
    var name: String
    var bytes: Int
    var seconds: [Double] = []

    var median: Double { CalibrationTiming.median(seconds) }
    /// Bytes per second at the median.
    var rate: Double { median > 0 ? Double(bytes) / median : 0 }
}

/// Wall-clock timing, child processes and the reference reads (`cat` to /dev/null).
enum CalibrationTiming {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Seconds to `cat` the files to /dev/null (the time to merely read them).
    static func cat(_ files: [String]) throws -> Double {
        var elapsed = 0.0
        elapsed = try seconds {
            let (status, output) = try runProcess("/bin/cat", files, captureOutput: false)
            guard status == 0 else {
                throw CalibrationBenchError.commandFailed(command: "cat", status: status, output: output)
            }
        }
        return elapsed
    }

    /// Runs an executable (looked up in PATH unless it is a path) and waits for it, with
    /// posix_spawn and waitpid: Foundation's `Process.waitUntilExit` polls in 50 ms steps, which
    /// would swamp a `cat` of a warm file.
    /// - Returns: exit status and, when captured, its standard output and error.
    static func runProcess(_ executable: String, _ arguments: [String], captureOutput: Bool = true) throws -> (Int32, String) {
        let outputPath = captureOutput ? NSTemporaryDirectory() + "calfarm-bench-\(getpid())-output.txt" : "/dev/null"
        defer { if captureOutput { try? FileManager.default.removeItem(atPath: outputPath) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if captureOutput { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CalibrationBenchError.commandFailed(command: executable, status: spawned,
                                                      output: "cannot start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = captureOutput ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, output)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Asks the kernel to drop these files' cached pages (they are not needed any more), so the
    /// small page cache of this VM keeps what the next measurement reads.
    static func evictFromPageCache(_ files: [String]) {
        for path in files {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { continue }
            _ = fsync(fd)   // dirty pages (a file just written) are not dropped until written back
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
            close(fd)
        }
    }
}
