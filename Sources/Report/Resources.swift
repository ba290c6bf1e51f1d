import Farm
import FarmContract
import Foundation

/// The resources section: per step, wall time (start to end of the last attempt), CPU time and
/// peak memory of its units against the requested time limit and memory, with a suggestion.
struct Resources {
    let inputs: ReportInputs

    func rows() -> [[String: String]] {
        let last = Dictionary(grouping: inputs.attempts, by: \.job).compactMapValues { $0.max { $0.number < $1.number } }
        return Step.allCases.compactMap { step -> [String: String]? in
            let jobs = inputs.jobs.filter { $0.step == step }
            guard !jobs.isEmpty else { return nil }
            let walls = jobs.compactMap { job in
                last[job.id].flatMap { a in a.startedAt.flatMap { s in a.endedAt.map { $0.timeIntervalSince(s) } } }
            }.sorted()
            let results = jobs.compactMap { inputs.results[$0.id] }
            let cpus = results.map(\.cpuSeconds).sorted()
            let memories = results.map { Double($0.peakMemoryBytes) }.sorted()
            let resources = inputs.configuration.resources(for: step)
            let limit = jobs.compactMap(\.timeLimit).first ?? resources.timeLimit
            var suggestion = ""
            if let peak = memories.last, peak > 0 {
                let proposal = Self.memoryText(max(Double(64 << 20), peak * 1.5))
                if let requested = resources.memory {
                    suggestion = "\(step.rawValue) units used at most \(Self.bytes(peak)) of \(requested): `--set \(step.rawValue).memory=\(proposal)` would do"
                } else {
                    suggestion = "\(step.rawValue) units used at most \(Self.bytes(peak)) (no --mem requested): `--set \(step.rawValue).memory=\(proposal)` reserves that"
                }
            }
            return ["step": step.rawValue, "units": String(jobs.count),
                    "wall": Self.spread(walls, Timeline.duration), "cpu": Self.spread(cpus, Timeline.duration),
                    "memory": Self.spread(memories, Self.bytes), "limit": limit, "requested": resources.memory ?? "cluster default",
                    "suggestion": suggestion]
        }
    }

    /// `median / max`.
    static func spread(_ sorted: [Double], _ text: (Double) -> String) -> String {
        guard let max = sorted.last else { return "–" }
        return "\(text(sorted[sorted.count / 2])) / \(text(max))"
    }

    static func bytes(_ value: Double) -> String {
        value >= Double(1 << 30) ? String(format: "%.1f GiB", value / Double(1 << 30)) : String(format: "%.0f MiB", value / Double(1 << 20))
    }

    /// SLURM --mem text rounded up: `512M`, `3G`.
    static func memoryText(_ value: Double) -> String {
        value >= Double(1 << 30) ? "\(Int((value / Double(1 << 30)).rounded(.up)))G" : "\(Int((value / Double(1 << 20) / 64).rounded(.up)) * 64)M"
    }
}
