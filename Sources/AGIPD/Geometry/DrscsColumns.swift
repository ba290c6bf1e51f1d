/// Which columns of a module each run of a current-source scan (drscs) charges
/// (agipd-reference §6.2.5): run k (0…3) injects AGIPD columns {3 − k + 4j} in the top half
/// (rows 0–63, ASICs 9–16) and {k + 4j} in the bottom half (rows 64–127, ASICs 1–8). An ASIC
/// is 64 columns wide, a multiple of 4, so the same rule holds for its local columns.
public enum DrscsColumns {
    public static let runs = 4

    /// The run that injects local column `column` of an ASIC; `upper` for ASICs 9–16.
    public static func run(column: Int, upper: Bool) -> Int { upper ? 3 - column % 4 : column % 4 }

    /// Local columns (0…63) of an ASIC that run `run` injects.
    public static func columns(run: Int, upper: Bool) -> [Int] {
        Array(stride(from: upper ? 3 - run : run, to: ModuleGeometry.asicSize, by: 4))
    }
}
