import AGIPD
import CalFarmTestSupport
import Farm
import Foundation
import HDF5
import Simulator
import Testing

/// The dark's bad-pixel mask (issue 13 §7): planted noisy, dead and hot pixels are flagged with
/// their bit in every cell and both orientations; clean pixels almost never.
@Suite("dark bad-pixel mask")
struct BadPixelMaskTests {
    /// Planted pixels, AGIPD index r · 512 + c, spread over the module and its ASIC borders.
    static let planted: [Int: PixelFault] = {
        var faults: [Int: PixelFault] = [:]
        for k in 0..<40 {
            let r = (k * 37) % 128, c = (k * 211 + 5) % 512
            faults[r * 512 + c] = PixelFault.allCases[k % 3]
        }
        return faults
    }()

    @Test("noisy, dead and hot pixels get bits 2, 4 and 8 in every cell; fewer than 0.1 % of clean pixels are flagged")
    func plantedPixels() throws {
        let fixture = try FarmFixture(channels: [0, 8], trains: 20, cells: 2, sequences: 1) { $0.faults = Self.planted }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(output: "out"))
        #expect(try farm.status(request: outcome.request).state == "done")
        let agipd = try File.open(fixture.joinedPath(output: "out"))
        defer { try? agipd.close() }
        let xfel = try File.open(fixture.joinedPath(output: "out").replacingOccurrences(of: "_agipd.h5", with: "_xfel.h5"))
        defer { try? xfel.close() }
        // docs/formats.md §6: bit 2 noisy, 4 dead, 8 hot.
        let bit: [PixelFault: UInt8] = [.noisy: 2, .dead: 4, .hot: 8]
        for channel in [0, 8] {
            let group = "channel0\(channel == 0 ? "0" : "8")"
            let mask = try agipd.root.dataset("\(group)/bad_pixel_mask").read(UInt8.self)
            #expect(try agipd.root.dataset("\(group)/bad_pixel_mask").shape == [2, 128, 512])
            var clean = 0, flagged = 0
            for cell in 0..<2 {
                for pixel in 0..<ModuleGeometry.pixels {
                    let value = mask[cell * ModuleGeometry.pixels + pixel]
                    if let fault = Self.planted[pixel] {
                        #expect(value & bit[fault]! != 0, "\(group) cell \(cell) pixel \(pixel) \(fault): mask \(value)")
                    } else {
                        clean += 1
                        if value != 0 { flagged += 1 }
                    }
                }
            }
            #expect(Double(flagged) / Double(clean) < 0.001, "\(group): \(flagged) of \(clean) clean pixel/cells flagged")
            // The XFEL file holds the same mask in its orientation.
            let converted = try xfel.root.dataset("\(group)/bad_pixel_mask").read(UInt8.self)
            #expect(try xfel.root.dataset("\(group)/bad_pixel_mask").shape == [2, 512, 128])
            let wing = Wing(channel: channel)
            for (pixel, _) in Self.planted {
                let (r, c) = (pixel / 512, pixel % 512)
                let (x, y) = wing == .one ? (511 - c, r) : (c, 127 - r)
                #expect(converted[x * 128 + y] == mask[pixel], "\(group) pixel (\(r), \(c))")
            }
        }
    }
}
