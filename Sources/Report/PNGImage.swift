import Foundation
import PNGEncode

/// A PNG of an indexed image, encoded by libpng (through `PNGEncode`), as a data URI.
enum PNGImage {
    struct EncodingFailed: Error, CustomStringConvertible {
        var description: String { "libpng could not encode a map" }
    }

    static func dataURI(indices: [UInt8], width: Int, height: Int, palette: [UInt8]) throws -> String {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = indices.withUnsafeBufferPointer { pixels in
            palette.withUnsafeBufferPointer { colours in
                calfarm_png_encode_indexed(pixels.baseAddress, Int32(width), Int32(height), colours.baseAddress,
                                           Int32(palette.count / 3), &out, &size)
            }
        }
        guard status == 0, let out else { throw EncodingFailed() }
        defer { calfarm_png_free(out) }
        return "data:image/png;base64," + Data(bytes: out, count: size).base64EncodedString()
    }
}
