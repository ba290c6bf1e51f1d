/// Worker-side benchmarks (owned by the calibration benchmark work).
enum CalibrationBenchmarks {
    static func run(_ arguments: ArraySlice<String>) throws { print("calibration benchmarks: not yet") }
}
