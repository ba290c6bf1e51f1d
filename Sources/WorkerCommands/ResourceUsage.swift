import Foundation

/// CPU time and peak resident memory of this process, for the result file.
struct ResourceUsage {
    var cpuSeconds: Double
    var peakMemoryBytes: Int64

    static func current() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // Linux reports ru_maxrss in KiB.
        return ResourceUsage(cpuSeconds: cpu, peakMemoryBytes: Int64(usage.ru_maxrss) * 1024)
    }

    static var hostName: String { ProcessInfo.processInfo.hostName }

    /// `<array job>_<task>` for array tasks, the plain job id otherwise, nil outside SLURM.
    static var slurmJobID: String? {
        let env = ProcessInfo.processInfo.environment
        if let array = env["SLURM_ARRAY_JOB_ID"], let task = env["SLURM_ARRAY_TASK_ID"] { return "\(array)_\(task)" }
        return env["SLURM_JOB_ID"]
    }
}
