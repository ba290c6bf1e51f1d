import Foundation
import Testing
@testable import Farm

/// Runs `bash -c script` and returns its standard output.
func runBash(_ script: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Shell quoting")
struct ShellQuotingTests {
    static let nasty = [
        "plain", "with space", "it's", "\"double\"", "$HOME", "$(touch /tmp/calfarm-pwned)", "`id`", "back\\slash",
        "new\nline", "tab\there", "*.h5", "a;b|c&d", "!bang", "'", "''", "trailing\\", "ünïcødé ✓", "-n", "%A_%a", "",
    ]

    @Test("bash reads every quoted value back unchanged", arguments: nasty)
    func roundTripThroughBash(value: String) throws {
        let result = try runBash("printf '%s' " + ShellQuoting.quote(value))
        #expect(result.status == 0)
        #expect(result.output == value)
    }

    @Test("safe words stay unquoted; everything else is single-quoted")
    func quotingStyle() {
        #expect(ShellQuoting.quote("/scratch/out/gather.r0819.tasks") == "/scratch/out/gather.r0819.tasks")
        #expect(ShellQuoting.quote("a b") == "'a b'")
        #expect(ShellQuoting.quote("it's") == "'it'\\''s'")
        #expect(ShellQuoting.quote("") == "''")
        #expect(ShellQuoting.quote("a\0b") == "'ab'")
    }

    @Test("#SBATCH values follow sbatch's own rules: double quotes, backslash escapes, no line breaks")
    func sbatchDirectiveValues() throws {
        #expect(try ShellQuoting.sbatchValue("12:00:00", field: "time") == "12:00:00")
        #expect(try ShellQuoting.sbatchValue("my job", field: "name") == "\"my job\"")
        #expect(try ShellQuoting.sbatchValue("a\"b\\c #d", field: "name") == "\"a\\\"b\\\\c #d\"")
        #expect(throws: RenderError.self) { try ShellQuoting.sbatchValue("two\nlines", field: "partition") }
        #expect(try ShellQuoting.slurmFilenameLiteral("/logs/100%", field: "log") == "/logs/100%%")
        #expect(throws: RenderError.self) { try ShellQuoting.slurmFilenameLiteral("C:\\logs", field: "log") }
    }
}
