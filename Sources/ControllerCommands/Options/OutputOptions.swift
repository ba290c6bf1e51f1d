import ArgumentParser

/// `--json`: machine-readable output instead of tables.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (sorted keys, ISO-8601 dates) instead of text.")
    var json = false
}
