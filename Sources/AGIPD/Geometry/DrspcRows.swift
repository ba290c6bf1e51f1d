/// Which rows of a module each run of a pulse-capacitor scan (drspc) charges (agipd-reference
/// §6.2.5, the intended selection, in both halves): run k (0…7) injects local rows
/// {7 − k + 8j} of ASICs 9–16 (AGIPD rows 0–63) and {k + 8j} of ASICs 1–8 (rows 64–127,
/// mounted rotated), i.e. AGIPD rows 7 − k + 8j and 64 + k + 8j.
public enum DrspcRows {
    public static let runs = 8

    /// Local rows (0…63) of an ASIC that run `run` injects; `upper` for ASICs 9–16.
    public static func rows(run: Int, upper: Bool) -> [Int] {
        Array(stride(from: upper ? 7 - run : run, to: ModuleGeometry.asicSize, by: 8))
    }

    /// The run that injects local row `row` of an ASIC.
    public static func run(row: Int, upper: Bool) -> Int { upper ? 7 - row % 8 : row % 8 }
}
