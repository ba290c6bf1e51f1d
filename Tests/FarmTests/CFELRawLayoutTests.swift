import FarmContract
import Testing

@Suite("CFEL raw names")
struct CFELRawLayoutTests {
    static let dark = CFELRawLayout(inputDir: "/in", temperature: "temperature_m20C", measurement: .dark, module: "M304",
                                    spec: "tint150ns")

    @Test("names parse with and without the spec, run name and part; other modules and measurements do not")
    func parse() {
        let layout = Self.dark
        #expect(layout.parse("M304_m3_dark_tint150ns_hg_00001_part00002.nxs")
            == CFELRawFile(name: "M304_m3_dark_tint150ns_hg_00001_part00002.nxs", position: "m3", runName: "hg", run: 1, part: 2))
        #expect(layout.parse("M304_m1_dark_mg_00012.nxs")?.runName == "mg")
        #expect(layout.parse("M304_m1_dark_mg_00012.nxs")?.part == nil)
        #expect(layout.parse("M304_m2_dark_00007_part00000.nxs")?.runName == "")
        for other in ["M305_m3_dark_hg_00001_part00000.nxs", "M304_m3_xray_hg_00001_part00000.nxs",
                      "M304_m3_dark_hg_part00000.nxs", "M304_dark_hg_00001.nxs", "M304_m3_dark_hg_00001.h5"] {
            #expect(layout.parse(other) == nil, "\(other)")
        }
        let drscs = CFELRawLayout(inputDir: "/in", temperature: "t", measurement: .drscs, module: "M304", spec: "itestc150")
        #expect(drscs.directory == "/in/t/drscs/itestc150" && Self.dark.directory == "/in/temperature_m20C/dark")
        #expect(drscs.parse("M304_m2_drscs_itestc150_col15_00019_part00000.nxs")?.runName == "col15")
        #expect(drscs.fileName(position: "m2", runName: "col15", run: 19, part: 0) == "M304_m2_drscs_itestc150_col15_00019_part00000.nxs")
    }

    @Test("runs are found in run-name order; a missing or shared name is refused listing what was found")
    func discovery() throws {
        let layout = Self.dark
        let files = ["M304_m3_dark_tint150ns_lg_00030_part00000.nxs", "M304_m3_dark_tint150ns_hg_00021_part00000.nxs",
                     "M304_m3_dark_tint150ns_hg_00021_part00001.nxs", "M304_m3_dark_tint150ns_mg_00009_part00000.nxs"]
            .compactMap(layout.parse).sorted()
        #expect(try layout.discoverRuns(runNames: ["hg", "mg", "lg"], in: files) == [21, 9, 30])
        #expect(try layout.parts(of: 21, in: files).map(\.partIndex) == [0, 1])
        #expect { try layout.discoverRuns(runNames: ["hg", "xg"], in: files) } throws: {
            "\($0)".contains("no run is named 'xg'") && "\($0)".contains("run 21 (hg)") && "\($0)".contains("run 30 (lg)")
        }
        let shared = files + [layout.parse("M304_m3_dark_tint150ns_hg_00040_part00000.nxs")!]
        #expect { try layout.discoverRuns(runNames: ["hg"], in: shared) } throws: { "\($0)".contains("runs 21, 40 are all named 'hg'") }
        let mixed = files + [layout.parse("M304_m3_dark_tint150ns_mg_00021.nxs")!]
        #expect { try layout.parts(of: 21, in: mixed) } throws: { "\($0)".contains("several run names") }
        #expect { try layout.parts(of: 5, in: files) } throws: { "\($0)".contains("no file of run 5") }
    }
}
