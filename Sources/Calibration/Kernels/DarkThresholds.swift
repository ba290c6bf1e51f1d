import AGIPD

/// Gain-switch thresholds from the per-stage gain levels (agipd-reference §6.3).
public enum DarkThresholds {
    /// `threshold[k] = floor((gl[k] + gl[k+1]) / 2)` from the truncated integer gain levels, for
    /// k = 0 (HG/MG) and 1 (MG/LG); NaN where either stage had no frame (frame count 0).
    public static func compute(into constants: inout DarkConstants) {
        let perStage = constants.cells * ModuleGeometry.asicPixels
        let stages = DarkConstants.stages
        constants.gainlevelMean.withUnsafeBufferPointer { gain in
        constants.frameCount.withUnsafeBufferPointer { count in
        constants.threshold.withUnsafeMutableBufferPointer { threshold in
            for k in 0..<(stages - 1) {
                let lower = k * perStage, upper = (k + 1) * perStage
                for i in 0..<perStage {
                    if count[lower + i] == 0 || count[upper + i] == 0 {
                        threshold[lower + i] = .nan
                    } else {
                        // Floor of the half-sum, as the original's float floor: exact for Int64 halves.
                        let sum = gain[lower + i] + gain[upper + i]
                        threshold[lower + i] = Double(sum >> 1)  // arithmetic shift = floor division by 2
                    }
                }
            }
        }}}
    }
}
