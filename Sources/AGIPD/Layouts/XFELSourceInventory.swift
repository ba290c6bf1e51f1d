import HDF5

/// The XTDF detector sources a European XFEL raw file holds, found the way EXtra-data finds
/// sources: from the METADATA data-source list (`METADATA/dataSources/dataSourceId` from file
/// format 1.0 on, `METADATA/dataSourceId` in 0.5), and, when a file has no such list, from
/// the groups under `INSTRUMENT`. An entry looks like
/// `INSTRUMENT/SPB_DET_AGIPD1M-1/DET/3CH0:xtdf/image`.
public struct XFELSourceInventory: Sendable, Equatable {
    /// AGIPD detector prefix (e.g. `SPB_DET_AGIPD1M-1`) → channels with a source in this file.
    public var agipd: [String: [Int]]
    /// XTDF sources of other detectors (`FXE_DET_LPD1M-1/DET/0CH0:xtdf`), named in errors.
    public var others: [String]
    /// `METADATA/dataFormatVersion`, or "0.5" when absent (as EXtra-data assumes).
    public var formatVersion: String

    public init(agipd: [String: [Int]], others: [String], formatVersion: String) {
        self.agipd = agipd
        self.others = others
        self.formatVersion = formatVersion
    }

    /// Reads the inventory of an open file.
    public static func read(_ root: Group) throws -> XFELSourceInventory {
        let version = root.exists(XFELSource.metadataFormatVersion)
            ? (try root.readStrings(XFELSource.metadataFormatVersion).first ?? "0.5") : "0.5"
        var names: [String] = []
        for list in ["METADATA/dataSources/dataSourceId", "METADATA/dataSourceId"] where root.exists(list) {
            names = try root.readStrings(list).compactMap(sourceName(ofDataSourceId:))
            break
        }
        if names.isEmpty, root.exists("INSTRUMENT") {
            for detector in try root.group("INSTRUMENT").children() where root.exists("INSTRUMENT/\(detector)/DET") {
                names += try root.group("INSTRUMENT/\(detector)/DET").children().map { "\(detector)/DET/\($0)" }
            }
        }
        var agipd: [String: Set<Int>] = [:]
        var others: Set<String> = []
        for name in names {
            guard let (detector, channel) = parse(sourceName: name) else { continue }
            if detector.uppercased().contains("AGIPD") {
                agipd[detector, default: []].insert(channel)
            } else {
                others.insert(name)
            }
        }
        return XFELSourceInventory(agipd: agipd.mapValues { $0.sorted() }, others: others.sorted(),
                                   formatVersion: version)
    }

    /// `INSTRUMENT/SPB_DET_AGIPD1M-1/DET/3CH0:xtdf/image` → `SPB_DET_AGIPD1M-1/DET/3CH0:xtdf`;
    /// nil for CONTROL sources and padding entries.
    static func sourceName(ofDataSourceId entry: String) -> String? {
        guard entry.hasPrefix("INSTRUMENT/") else { return nil }
        let parts = entry.dropFirst("INSTRUMENT/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return parts[0..<3].joined(separator: "/")
    }

    /// `SPB_DET_AGIPD1M-1/DET/3CH0:xtdf` → (`SPB_DET_AGIPD1M-1`, 3); nil for anything else.
    public static func parse(sourceName: String) -> (detector: String, channel: Int)? {
        let parts = sourceName.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "DET", !parts[0].isEmpty, parts[2].hasSuffix("CH0:xtdf") else { return nil }
        let number = parts[2].dropLast("CH0:xtdf".count)
        guard !number.isEmpty, number.allSatisfy(\.isASCII), let channel = Int(number) else { return nil }
        return (String(parts[0]), channel)
    }
}
