import HDF5

/// Identity and extent of a gathered file: one raw sequence file of one run and channel (XFEL),
/// or one part of one run of a module (CFEL), laid out ASIC-major for the process step. Stored
/// as attributes of the root group.
///
/// Gathered file format (version 1), `…/rNNNN/gather/RNNNN-AGIPDCC-SNNNNN_gathered.h5`:
///
/// | Object | Shape | Type | Meaning |
/// |---|---|---|---|
/// | `analog` | (16, slots, cells, 64, 64) | uint16 | ADC value; index 0 = ASIC 1; AGIPD orientation |
/// | `digital` | (16, slots, cells, 64, 64) | uint16 | gain value |
/// | `present` | (slots, cells) | uint8 | 1 = frame read from the raw file; 0 = no frame (data zero) |
/// | `train_id` | (slots,) | uint64 | train id at each slot; 0 where this file has no train |
/// | attributes on `/` | | | `format_version`, `software`, `run`, `channel`, `sequence`, `cells`, `slot_start`, `slot_end`, `first_train_id`, `detector_string`, `layout`, `source_file`, `module` |
///
/// `slots = slot_end − slot_start`; row `i` of every dataset is run slot `slot_start + i`
/// (the preprocess result's slot, so files of different sequences and channels line up).
/// CFEL: `channel` −1, `module` the module, `sequence` the part, `layout` "cfel", slot = train
/// number − 1 within the run (`train_id` = train number); the slot ranges of two parts may
/// overlap at the train they share, their `present` masks never do.
/// Datasets are contiguous: one ASIC over all slots is one contiguous range.
public struct GatheredSequenceHeader: Sendable, Equatable {
    public static let currentFormatVersion: Int64 = 1
    public static let analogName = "analog"
    public static let digitalName = "digital"
    public static let presentName = "present"
    public static let trainIdName = "train_id"

    public var formatVersion: Int64 = currentFormatVersion
    /// CalFarm version of the writer.
    public var software: String
    public var run: Int
    public var channel: Int
    public var sequence: Int
    public var cells: Int
    /// First run slot covered (inclusive).
    public var slotStart: Int
    /// End of the covered slot range (exclusive).
    public var slotEnd: Int
    /// Train id of run slot 0.
    public var firstTrainId: UInt64
    public var detectorString: String
    /// The raw layout: XFEL "2017" or "2018" (``XFELLayoutVersion``), or "cfel".
    public var layout: String
    /// Name of the raw file this was gathered from.
    public var sourceFile: String
    /// The CFEL module; "" at XFEL.
    public var module: String

    public static let cfelLayout = "cfel"

    public init(software: String, run: Int, channel: Int, sequence: Int, cells: Int, slotStart: Int,
                slotEnd: Int, firstTrainId: UInt64, detectorString: String, layout: String,
                sourceFile: String, module: String = "") {
        self.software = software; self.run = run; self.channel = channel; self.sequence = sequence
        self.cells = cells; self.slotStart = slotStart; self.slotEnd = slotEnd
        self.firstTrainId = firstTrainId; self.detectorString = detectorString; self.layout = layout
        self.sourceFile = sourceFile; self.module = module
    }

    public var slots: Int { slotEnd - slotStart }

    /// (16, slots, cells, 64, 64)
    public var imageShape: [Int] {
        [ModuleGeometry.asicCount, slots, cells, ModuleGeometry.asicSize, ModuleGeometry.asicSize]
    }

    func write(to group: Group) throws {
        try group.setAttribute("format_version", formatVersion)
        try group.setAttribute("software", software)
        try group.setAttribute("run", Int64(run))
        try group.setAttribute("channel", Int64(channel))
        try group.setAttribute("sequence", Int64(sequence))
        try group.setAttribute("cells", Int64(cells))
        try group.setAttribute("slot_start", Int64(slotStart))
        try group.setAttribute("slot_end", Int64(slotEnd))
        try group.setAttribute("first_train_id", firstTrainId)
        try group.setAttribute("detector_string", detectorString)
        try group.setAttribute("layout", layout)
        try group.setAttribute("source_file", sourceFile)
        try group.setAttribute("module", module)
    }

    static func read(from group: Group, path: String) throws -> GatheredSequenceHeader {
        func int(_ name: String) throws -> Int { Int(try group.attribute(name, as: Int64.self)) }
        let version = try group.attribute("format_version", as: Int64.self)
        guard version == currentFormatVersion else {
            throw HDF5Error.invalidArgument(file: path, object: "/format_version",
                                            reason: "gathered format version \(version), this CalFarm reads \(currentFormatVersion)")
        }
        let layoutText = try group.stringAttribute("layout")
        guard XFELLayoutVersion(rawValue: layoutText) != nil || layoutText == cfelLayout else {
            throw HDF5Error.invalidArgument(file: path, object: "/layout", reason: "unknown layout \(layoutText)")
        }
        let header = GatheredSequenceHeader(
            software: try group.stringAttribute("software"), run: try int("run"), channel: try int("channel"),
            sequence: try int("sequence"), cells: try int("cells"), slotStart: try int("slot_start"),
            slotEnd: try int("slot_end"), firstTrainId: try group.attribute("first_train_id", as: UInt64.self),
            detectorString: try group.stringAttribute("detector_string"), layout: layoutText,
            sourceFile: try group.stringAttribute("source_file"),
            module: group.hasAttribute("module") ? try group.stringAttribute("module") : "")
        guard header.cells > 0, header.slotEnd >= header.slotStart, header.slotStart >= 0 else {
            throw HDF5Error.invalidArgument(file: path, object: "/",
                                            reason: "cells \(header.cells), slots [\(header.slotStart), \(header.slotEnd))")
        }
        return header
    }
}
