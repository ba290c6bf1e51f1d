/// Quoting for the two languages of a batch script: POSIX shell (the script body) and sbatch's
/// own `#SBATCH` directive parser, which differs (backslash escapes even inside quotes, an
/// unquoted `#` starts a comment, no line continuation).
public enum ShellQuoting {
    /// Characters that need no quoting in either language.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "@", "%", "+", "=", ":", ",", ".", "/", "-": return true
        default: return false
        }
    }

    /// `value` as one POSIX shell word: returned as is when it only holds `[A-Za-z0-9_@%+=:,./-]`,
    /// otherwise in single quotes with each `'` written `'\''`. Safe for spaces, quotes, `$`, `` ` ``,
    /// `\`, `!`, globs and newlines. NUL cannot exist in a shell word and is dropped.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty, value.unicodeScalars.allSatisfy(isPlain) { return value }
        var out = "'"
        for scalar in value.unicodeScalars where scalar != "\0" {
            if scalar == "'" { out += "'\\''" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "'"
    }

    /// `value` as one argument of an `#SBATCH` line: as is when plain, otherwise in double quotes
    /// with `\` and `"` backslash-escaped (sbatch's `_get_argument` rules).
    /// - Throws: ``RenderError/unrepresentable(field:value:reason:)`` for a line break or NUL, which
    ///   a directive line cannot hold.
    public static func sbatchValue(_ value: String, field: String) throws(RenderError) -> String {
        if value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
            throw .unrepresentable(field: field, value: value, reason: "an #SBATCH line cannot hold a line break")
        }
        if !value.isEmpty, value.unicodeScalars.allSatisfy(isPlain) { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// A literal path prefix for a SLURM filename pattern (`--output`): `%` doubled so only the
    /// pattern's own `%A`/`%a` expand.
    /// - Throws: for a backslash, which makes SLURM ignore every replacement symbol in the name.
    public static func slurmFilenameLiteral(_ path: String, field: String) throws(RenderError) -> String {
        if path.contains("\\") {
            throw .unrepresentable(field: field, value: path,
                                   reason: "a backslash in a log path turns off SLURM's %A/%a replacement")
        }
        return path.replacingOccurrences(of: "%", with: "%%")
    }
}

private extension String {
    func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
