/// SLURM time limits: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
enum TimeLimit {
    /// Seconds, or nil when the text is not a SLURM time (or `UNLIMITED`).
    static func seconds(_ text: String) -> Int? {
        var days = 0
        var rest = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let d = Int(text[..<dash]) else { return nil }
            days = d
            rest = text[text.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.contains(where: { $0 == nil }), !parts.isEmpty else { return nil }
        let p = parts.map { $0! }
        let hasDays = text.contains("-")
        switch (hasDays, p.count) {
        case (false, 1): return p[0] * 60
        case (false, 2): return p[0] * 60 + p[1]
        case (false, 3): return p[0] * 3600 + p[1] * 60 + p[2]
        case (true, 1): return days * 86400 + p[0] * 3600
        case (true, 2): return days * 86400 + p[0] * 3600 + p[1] * 60
        case (true, 3): return days * 86400 + p[0] * 3600 + p[1] * 60 + p[2]
        default: return nil
        }
    }

    /// `HH:MM:SS` (hours may exceed 24, which SLURM accepts).
    static func format(seconds: Int) -> String {
        let h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(h)):\(two(m)):\(two(s))"
    }

    /// The limit for a retry after TIMEOUT: `factor` times longer, rounded up to whole minutes
    /// (SLURM's granularity).
    static func extended(_ text: String, factor: Double) -> String {
        guard let seconds = seconds(text) else { return text }
        let longer = Int((Double(seconds) * factor).rounded(.up))
        return format(seconds: ((longer + 59) / 60) * 60)
    }
}
