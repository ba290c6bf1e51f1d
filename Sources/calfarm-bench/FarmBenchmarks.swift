/// Controller benchmarks (owned by the farm benchmark work).
enum FarmBenchmarks {
    static func run(_ arguments: ArraySlice<String>) throws { print("farm benchmarks: not yet") }
}
