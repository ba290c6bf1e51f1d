/// Nearest-name suggestions for misspelt sections and keys ("did you mean 'process.n_jobs'?").
enum KeySuggestion {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a typo
    /// (at most a third of the name's length, and at least 1 edit).
    static func nearest(to name: String, among candidates: [String]) -> String? {
        let limit = max(2, name.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(name.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// A suggestion for an unknown `section.key`: a near key of the same section, else the same key
    /// in another section (a key put under the wrong section), else a near `section.key` overall.
    static func forKey(section: String, key: String) -> String? {
        if let keys = ConfigurationSchema.section(section)?.keys.map(\.name),
           let near = nearest(to: key, among: keys) {
            return "\(section).\(near)"
        }
        let elsewhere = ConfigurationSchema.sections.filter { $0.key(key) != nil }.map { "\($0.name).\(key)" }
        if let first = elsewhere.first { return first }
        return nearest(to: "\(section).\(key)", among: ConfigurationSchema.allKeyPaths)
    }

    /// Levenshtein distance; names are short, so the O(n·m) table is fine.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
