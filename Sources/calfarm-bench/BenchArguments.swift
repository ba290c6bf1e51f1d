/// A suite's option words taken one at a time (calibration and pipeline): a missing or malformed
/// value is a usage error that prints that suite's own usage text.
struct BenchArguments {
    private var rest: ArraySlice<String>
    let usage: String

    init(_ arguments: ArraySlice<String>, usage: String) {
        rest = arguments
        self.usage = usage
    }

    mutating func next() -> String? { rest.popFirst() }

    /// The value after option `name`.
    mutating func value(_ name: String) throws -> String {
        guard let next = rest.popFirst() else { throw failure("\(name) needs a value") }
        return next
    }

    /// The integer value after option `name`, at least `minimum`.
    mutating func int(_ name: String, minimum: Int) throws -> Int {
        let text = try value(name)
        guard let number = Int(text), number >= minimum else {
            throw failure("\(name) must be an integer ≥ \(minimum), got \(text)")
        }
        return number
    }

    func failure(_ reason: String) -> CalibrationBenchError { .usage(reason, help: usage) }
}
