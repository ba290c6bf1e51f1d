/// The CFEL lab's raw part files (`.nxs`, HDF5; agipd-reference §5.2, §6.2.3): what is where,
/// and how a frame's run-wide sequence number places it.
///
/// `data` is (frames, 128, 512) int16 in AGIPD orientation; frames run train → cell →
/// (analog, digital), so 1-based sequence number s is frame f = s − 1 of the run, train
/// f / (2·cells), cell (f mod 2·cells) / 2, and digital when f is odd.
public enum CFELPartLayout {
    public static let data = "entry/instrument/detector/data"
    public static let sequenceNumber = "entry/instrument/detector/sequence_number"
    /// `[0]` = the number of frames the whole run should have.
    public static let frameNumbers = "entry/instrument/detector/collection/frame_numbers"

    /// Where run frame `frame` (0-based: sequence number − 1) belongs.
    @inline(__always)
    public static func place(frame: Int, cells: Int) -> (train: Int, cell: Int, digital: Bool) {
        let perTrain = 2 * cells
        let within = frame % perTrain
        return (frame / perTrain, within / 2, within % 2 == 1)
    }
}
