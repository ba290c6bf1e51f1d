// Interop with h5py both ways: h5py (bundling a newer libhdf5) reads a file CalFarm wrote and
// checks values, dtypes, shapes, filters, attributes and strings; CalFarm reads a file h5py
// wrote, including variable-length str, numpy fixed bytes ('S5') and gzip-chunked data.
import CalFarmTestSupport
import HDF5
import Testing

@Suite("h5py interop")
struct H5pyInteropTests {
    /// The python side of "h5py reads CalFarm's file": exits non-zero naming the first mismatch.
    static let checkScript = #"""
    import sys, h5py, numpy as np
    f = h5py.File(sys.argv[1], "r")
    def check(ok, what):
        if not ok:
            print("MISMATCH:", what); sys.exit(1)
    for name, dtype in [("u1", "uint8"), ("u2", "uint16"), ("i2", "int16"), ("u4", "uint32"),
                        ("i4", "int32"), ("i8", "int64"), ("u8", "uint64"), ("f4", "float32"), ("f8", "float64")]:
        d = f["numeric/" + name]
        check(d.dtype == np.dtype(dtype), f"{name} dtype {d.dtype}")
        check(d.shape == (2, 3), f"{name} shape {d.shape}")
        check((d[()] == np.arange(6).reshape(2, 3).astype(dtype)).all(), f"{name} values {d[()]}")
    check(f["extremes/u8"][()].tolist() == [2**64 - 1, 0], "uint64 extremes")
    check(f["extremes/i8"][()].tolist() == [-2**63, 2**63 - 1], "int64 extremes")
    r5 = f["rank5"]
    check(r5.shape == (2, 1, 2, 1, 3) and r5.dtype == np.uint8, f"rank5 {r5.shape} {r5.dtype}")
    check((r5[()].ravel() == np.arange(12)).all(), "rank5 values")
    check(f["scalar"].shape == () and f["scalar"][()] == 2.5, "scalar")
    img = f["image/data"]
    check(img.chunks == (1, 4, 5) and img.compression == "gzip" and img.shuffle, f"filters {img.chunks} {img.compression}")
    check((img[()] == np.arange(60).reshape(3, 4, 5).astype(np.uint16)).all(), "image values")
    grow = f["INDEX/trainId"]
    check(grow.maxshape == (None,) and grow[()].tolist() == [1000, 1001, 1002], f"trainId {grow.maxshape} {grow[()]}")
    s = f["METADATA/creationDate"]
    info = h5py.check_string_dtype(s.dtype)
    check(info is not None and info.encoding == "utf-8" and info.length is None, f"string dtype {s.dtype}")
    check(s.asstr()[()] == "2018-04-25 µs", "scalar string")
    check(list(f["METADATA/dataSources"].asstr()[()]) == ["SPB/0CH0:xtdf", "", "Ångström"], "string list")
    check(f.attrs["version"] == "1.0", f"root attr {f.attrs['version']!r}")
    g = f["numeric"].attrs
    check(g["gain"] == 3 and g["gain"].dtype == np.uint16, "gain attr")
    check(g["cells"].dtype == np.int32 and g["cells"].tolist() == [0, 1, 63], "cells attr")
    a = f["image/data"].attrs
    check(a["units"] == "ADU" and isinstance(a["units"], str), f"units attr {a['units']!r}")
    check(a["scale"] == -0.5, "scale attr")
    print("ok")
    """#

    @Test("h5py reads values, dtypes, shapes, filters, strings and attributes CalFarm wrote")
    func h5pyReadsCalFarmFile() throws {
        try Python.requireH5py()
        // Given a file written by CalFarm
        let directory = try TemporaryDirectory("hdf5-interop-out")
        let path = directory.file("calfarm.h5")
        let file = try File.create(path)
        let numeric = try file.root.createGroup("numeric")
        try numeric.write("u1", (0..<6).map { UInt8($0) }, shape: [2, 3])
        try numeric.write("u2", (0..<6).map { UInt16($0) }, shape: [2, 3])
        try numeric.write("i2", (0..<6).map { Int16($0) }, shape: [2, 3])
        try numeric.write("u4", (0..<6).map { UInt32($0) }, shape: [2, 3])
        try numeric.write("i4", (0..<6).map { Int32($0) }, shape: [2, 3])
        try numeric.write("i8", (0..<6).map { Int64($0) }, shape: [2, 3])
        try numeric.write("u8", (0..<6).map { UInt64($0) }, shape: [2, 3])
        try numeric.write("f4", (0..<6).map { Float($0) }, shape: [2, 3])
        try numeric.write("f8", (0..<6).map { Double($0) }, shape: [2, 3])
        try numeric.setAttribute("gain", UInt16(3))
        try numeric.setAttribute("cells", [Int32(0), 1, 63])
        try file.root.write("extremes/u8", [UInt64.max, 0], shape: [2])
        try file.root.write("extremes/i8", [Int64.min, Int64.max], shape: [2])
        try file.root.write("rank5", (0..<12).map { UInt8($0) }, shape: [2, 1, 2, 1, 3])
        try file.root.write("scalar", [2.5], shape: [])
        let image = try file.root.write("image/data", (0..<60).map { UInt16($0) }, shape: [3, 4, 5],
                                        options: DatasetOptions(chunks: [1, 4, 5], deflate: 4, shuffle: true))
        try image.setAttribute("units", "ADU")
        try image.setAttribute("scale", -0.5)
        let trains = try file.root.createDataset("INDEX/trainId", of: UInt64.self, shape: [0],
                                                 options: DatasetOptions(chunks: [2], maxShape: [nil]))
        for index in 0..<3 {
            try trains.resize(to: [index + 1])
            try trains.write([UInt64(1_000 + index)], selection: Hyperslab(start: [index], count: [1]))
        }
        try file.root.writeString("METADATA/creationDate", "2018-04-25 µs")
        try file.root.writeStrings("METADATA/dataSources", ["SPB/0CH0:xtdf", "", "Ångström"])
        try file.root.setAttribute("version", "1.0")
        try file.close()

        // When h5py checks it, then every check passes
        let output = try Python.run(Self.checkScript, [path])
        #expect(output.contains("ok"), "\(output)")
    }

    /// The python side of "CalFarm reads h5py's file".
    static let writeScript = #"""
    import sys, h5py, numpy as np
    with h5py.File(sys.argv[1], "w") as f:
        for name in ["u1", "u2", "i2", "u4", "i4", "i8", "u8", "f4", "f8"]:
            f["numeric/" + name] = np.arange(12).reshape(3, 4).astype(name)
        f["scalar"] = np.float64(2.5)
        f["text"] = "hello µ"
        f["texts"] = np.array(["a", "bc", "ünï"], dtype=h5py.string_dtype())
        f["fixed"] = np.array([b"ab", b"cdefg", b""], dtype="S5")
        f["fixedScalar"] = np.bytes_("AGIPD")
        f.create_dataset("image/data", data=np.arange(4 * 8 * 8, dtype=np.uint16).reshape(4, 8, 8),
                         chunks=(1, 8, 8), compression="gzip", compression_opts=4, shuffle=True)
        grow = f.create_dataset("grow", shape=(2, 3), maxshape=(None, 3), dtype="i4", chunks=(1, 3))
        grow[...] = [[1, 2, 3], [4, 5, 6]]
        g = f.create_group("INSTRUMENT/DET")
        g.attrs["count"] = 7
        g.attrs["position"] = np.array([0.5, 1.5])
        g.attrs["name"] = "AGIPD1M ü"
        g.attrs["fixedName"] = np.bytes_("SPB")
        f["numeric/u2"].attrs["units"] = "ADU"
    """#

    @Test("CalFarm reads numeric, string, fixed-bytes, gzip-chunked data and attributes h5py wrote")
    func calFarmReadsH5pyFile() throws {
        try Python.requireH5py()
        // Given a file written by h5py
        let directory = try TemporaryDirectory("hdf5-interop-in")
        let path = directory.file("h5py.h5")
        try Python.run(Self.writeScript, [path])

        // When CalFarm opens it, then types, shapes and values are h5py's
        let file = try File.open(path, mode: .readWrite)
        let root = file.root
        let names = ["u1": "uint8", "u2": "uint16", "i2": "int16", "u4": "uint32", "i4": "int32",
                     "i8": "int64", "u8": "uint64", "f4": "float32", "f8": "float64"]
        #expect(try root.group("numeric").children() == names.keys.sorted())
        for (name, typeName) in names {
            let dataset = try root.dataset("numeric/\(name)")
            #expect(dataset.elementTypeName == typeName)
            #expect(dataset.shape == [3, 4])
            #expect(try dataset.read(Double.self) == (0..<12).map { Double($0) })
        }
        #expect(try root.dataset("numeric/u2").read(UInt16.self) == (0..<12).map { UInt16($0) })
        #expect(try root.dataset("numeric/i8").read(Int64.self) == (0..<12).map { Int64($0) })
        #expect(try root.dataset("numeric/f4").read(Float.self) == (0..<12).map { Float($0) })
        #expect(try root.dataset("scalar").read(Double.self) == [2.5])
        #expect(try root.readString("text") == "hello µ")
        #expect(try root.readStrings("texts") == ["a", "bc", "ünï"])
        #expect(try root.readStrings("fixed") == ["ab", "cdefg", ""])
        #expect(try root.readString("fixedScalar") == "AGIPD")
        #expect(try root.dataset("fixed").elementTypeName == "string")

        let image = try root.dataset("image/data", chunkCacheBytes: 4 << 20)
        var frame = [UInt16](repeating: 0, count: 64)
        try frame.withUnsafeMutableBufferPointer {
            try image.read(into: $0, selection: Hyperslab(start: [2, 0, 0], count: [1, 8, 8]))
        }
        #expect(frame == (128..<192).map { UInt16($0) })

        let grow = try root.dataset("grow")
        #expect(grow.maxShape == [nil, 3])
        try grow.resize(to: [3, 3])
        try grow.write([Int32(7), 8, 9], selection: Hyperslab(start: [2, 0], count: [1, 3]))
        #expect(try grow.read(Int32.self) == [1, 2, 3, 4, 5, 6, 7, 8, 9])

        let detector = try root.group("INSTRUMENT/DET")
        #expect(try detector.attribute("count", as: Int64.self) == 7)
        #expect(try detector.attributeArray("position", as: Double.self) == [0.5, 1.5])
        #expect(try detector.stringAttribute("name") == "AGIPD1M ü")
        #expect(try detector.stringAttribute("fixedName") == "SPB")
        #expect(try root.dataset("numeric/u2").stringAttribute("units") == "ADU")
        try file.close()
    }
}
