import FarmContract
import Foundation

/// The `general` section, typed.
public struct GeneralSettings: Sendable, Equatable {
    /// nil: not configured (found in the raw files at plan time).
    public var detectorString: String?
    /// nil: `auto` (found in the raw files at plan time).
    public var interleaved: Bool?
    public var runs: [Int]
    public var channels: [Int]
    public var asics: [Int]
    public var module: String?
    public var temperature: String?
    /// CFEL memory cells per train; 0 = the measurement's default (``MeasurementDescription/cfelDefaultCells``).
    public var cells: Int
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var mailUser: String?
    /// Comma-separated SLURM mail types, upper case.
    public var mailType: String
    /// Shell lines run before the worker starts.
    public var environment: [String]
    public var templateDir: String?
    public var worker: String?
    /// Raw sbatch options, one per `#SBATCH` line.
    public var extraSbatch: [String]
}

/// What one job of a step asks SLURM for (a step section, typed).
public struct StepResources: Sendable, Hashable {
    /// SLURM `--time` text, e.g. `12:00:00`.
    public var timeLimit: String
    /// SLURM `--mem`, or nil for the cluster default.
    public var memory: String?
    public var cpus: Int
    /// Maximum simultaneously running array tasks; 0 = unthrottled.
    public var arrayThrottle: Int

    public init(timeLimit: String, memory: String? = nil, cpus: Int = 1, arrayThrottle: Int = 0) {
        self.timeLimit = timeLimit
        self.memory = memory
        self.cpus = cpus
        self.arrayThrottle = arrayThrottle
    }
}

/// The `supervisor` section, typed.
public struct SupervisorSettings: Sendable, Equatable {
    public var enabled: Bool
    public var timeLimit: String
    public var memory: String?
    /// Seconds between looks at the request.
    public var interval: Double
}

/// The `retry` section, typed.
public struct RetrySettings: Sendable, Equatable {
    public var maxAttempts: Int
    public var timeoutFactor: Double
}

extension Configuration {
    public var general: GeneralSettings {
        GeneralSettings(
            detectorString: optionalString("general.detector_string"),
            interleaved: ["true": true, "false": false][string("general.interleaved")],
            runs: values["general.runs"]?.intsValue ?? [],
            channels: values["general.channels"]?.intsValue ?? [],
            asics: values["general.asics"]?.intsValue ?? [],
            module: optionalString("general.module"),
            temperature: optionalString("general.temperature"),
            cells: values["general.cells"]?.intValue ?? 0,
            partition: optionalString("general.partition"),
            account: optionalString("general.account"),
            qos: optionalString("general.qos"),
            mailUser: optionalString("general.mail_user"),
            mailType: string("general.mail_type"),
            environment: values["general.environment"]?.stringsValue ?? [],
            templateDir: optionalString("general.template_dir"),
            worker: optionalString("general.worker"),
            extraSbatch: values["general.extra_sbatch"]?.stringsValue ?? [])
    }

    /// The resources of `step`'s jobs.
    public func resources(for step: Step) -> StepResources {
        let s = step.rawValue
        return StepResources(timeLimit: string("\(s).time_limit"), memory: optionalString("\(s).memory"),
                             cpus: int("\(s).cpus"), arrayThrottle: int("\(s).array_throttle"))
    }

    /// `process.n_jobs`: ASIC chunks per channel; nil = auto (``processChunks(rawBytes:)``).
    public var processChunksPerChannel: Int? { values["process.n_jobs"]?.intValue }

    /// ASIC chunks for a channel (or CFEL module) of `rawBytes` raw bytes over the request's runs:
    /// `process.n_jobs` when it is a number; with `auto`, one per `process.unit_mib` (at least 1,
    /// at most one per ASIC), or one per ASIC when the size is unknown. A few MB of data in 16
    /// units cost 16 worker starts and product opens for milliseconds of work each (issue 15).
    public func processChunks(rawBytes: Int64?) -> Int {
        if let fixed = processChunksPerChannel { return fixed }
        let asics = 16  // per module
        guard let rawBytes else { return asics }
        let unit = Int64(max(1, int("process.unit_mib"))) << 20
        return Int(min(Int64(asics), max(1, (rawBytes + unit - 1) / unit)))
    }

    public var retry: RetrySettings {
        RetrySettings(maxAttempts: int("retry.max_attempts"),
                      timeoutFactor: values["retry.timeout_factor"]?.numberValue ?? 1)
    }

    public var supervisor: SupervisorSettings {
        SupervisorSettings(enabled: values["supervisor.enabled"]?.boolValue ?? true,
                           timeLimit: string("supervisor.time_limit"), memory: optionalString("supervisor.memory"),
                           interval: values["supervisor.interval"]?.numberValue ?? 30)
    }

    /// `local.workers`, with 0 resolved to the number of active CPUs.
    public var localWorkers: Int {
        let n = int("local.workers")
        return n > 0 ? n : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    public var journalMode: JournalModePolicy { JournalModePolicy(rawValue: string("store.journal_mode")) ?? .auto }

    /// `slurm.max_array_size`: the cluster's MaxArraySize (task indices must stay below it).
    public var maxArraySize: Int { int("slurm.max_array_size") }

    /// `drscs.currents`.
    public var drscsCurrents: [String] { values["drscs.currents"]?.stringsValue ?? [] }

    /// The measurement section as job parameters: every key, lists joined by commas.
    public func parameters(for measurement: FarmContract.Measurement) -> [String: String] {
        let name = MeasurementCatalog.description(of: measurement).settingsSection
        guard let section = ConfigurationSchema.section(name) else { return [:] }
        var out: [String: String] = [:]
        for key in section.keys {
            out[key.name] = values["\(section.name).\(key.name)"]?.parameterString ?? ""
        }
        return out
    }
}
