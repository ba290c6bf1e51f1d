import Foundation

/// Where commands write besides stdout: diagnostics and progress go to stderr, so stdout holds
/// only the answer (a request id, a table, a JSON document) and can be captured by scripts.
enum Console {
    /// `calfarm: error: <message>` on stderr.
    static func error(_ message: String) { standardError("calfarm: error: \(message)") }

    /// `calfarm: warning: <message>` on stderr.
    static func warning(_ message: String) { standardError("calfarm: warning: \(message)") }

    /// One progress line on stderr.
    static func progress(_ line: String) { standardError(line) }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
