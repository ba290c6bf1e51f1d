/// The shared vocabulary of controller and worker (defined in docs/architecture.md, glossary).

/// A processing step of the calibration pipeline, in execution order.
public enum Step: String, Codable, Sendable, CaseIterable, Comparable {
    case preprocess, gather, process, merge, join

    public static func < (lhs: Step, rhs: Step) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The kind of calibration run a request turns into constants.
public enum Measurement: String, Codable, Sendable, CaseIterable {
    /// Three dark runs (high, medium, low gain): offset, noise, gain level, thresholds.
    case dark
    /// X-ray fluorescence: photon spacing (absolute gain).
    case xray
    /// Dynamic-range scan with the pulse capacitor (8 runs).
    case drspc
    /// Dynamic-range scan with the current source (4 runs per current).
    case drscs
}

/// Where the data was taken: European XFEL (full detector, RAW files) or the DESY/CFEL lab.
public enum Facility: String, Codable, Sendable, CaseIterable {
    case xfel, cfel
}
