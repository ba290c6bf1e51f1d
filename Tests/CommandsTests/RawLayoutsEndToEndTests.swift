import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import AGIPD
import Simulator
import Testing

/// Darks through `Farm.submit` (local executor, real worker processes) on every raw layout a
/// user may bring, with no detector and no layout configured: CalFarm finds both in the files.
@Suite("raw layouts end to end, local executor", .serialized)
struct RawLayoutsEndToEndTests {
    @Test("every INDEX padding variant and both instruments, no detector configured: constants agree with the truth",
          arguments: [(XFELIndexPadding.trainId, "SPB_DET_AGIPD1M-1"), (.all, "MID_DET_AGIPD1M-1"), (.none, "SPB_DET_AGIPD1M-1")])
    func indexVariants(_ padding: XFELIndexPadding, _ detector: String) throws {
        let fixture = try FarmFixture(trains: 8) { $0.indexPadding = padding; $0.detectorString = detector }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(output: "out"))
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done", "\(status.failed)")
        // The detector found in the files is part of the stored configuration.
        let record = try #require(try farm.store.request(outcome.request))
        #expect(record.configuration.contains("detector_string: \"\(detector)\""), "\(record.configuration)")
        let report = try TruthComparison(truthPath: XFELDarkSimulation.truthPath(inputDir: fixture.inputDir),
                                         constantsPath: fixture.joinedPath(output: "out")).run()
        #expect(report.agrees, "\(report.channels.flatMap(\.problems))")
        #expect(report.channels.map(\.channel) == [0, 8])
    }

    @Test("a 2017-layout dark (interleaved frames, first/last/status INDEX) gives the constants of the same frames in the 2018 layout")
    func layout2017EqualsLayout2018() throws {
        let modern = try FarmFixture(trains: 5)
        let old = try FarmFixture(trains: 5) { $0.layout = .y2017; $0.interleaved = true }
        let farm = try old.farm()
        let outcome = try farm.submit(old.options(output: "out"))
        #expect(try farm.status(request: outcome.request).state == "done")
        let record = try #require(try farm.store.request(outcome.request))
        #expect(record.configuration.contains("interleaved: \"true\""), "\(record.configuration)")
        let reference = try modern.farm()
        #expect(try reference.status(request: reference.submit(modern.options(output: "out")).request).state == "done")
        for channel in ["channel00", "channel08"] {
            for name in ["offset", "gainlevel_mean"] {
                #expect(try FarmFixture.read(old.joinedPath(output: "out"), "\(channel)/\(name)", as: Int64.self)
                        == FarmFixture.read(modern.joinedPath(output: "out"), "\(channel)/\(name)", as: Int64.self), "\(channel)/\(name)")
            }
            for name in ["stddev", "threshold"] {
                let a = try FarmFixture.read(old.joinedPath(output: "out"), "\(channel)/\(name)", as: Double.self)
                let b = try FarmFixture.read(modern.joinedPath(output: "out"), "\(channel)/\(name)", as: Double.self)
                #expect(a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(channel)/\(name)")
            }
        }
    }

    @Test("interleaving is detected from the frames, not assumed from the INDEX layout",
          arguments: [(XFELLayoutVersion.y2017, false), (.y2018, true)])
    func interleavingDetected(_ layout: XFELLayoutVersion, _ interleaved: Bool) throws {
        let fixture = try FarmFixture(trains: 6) { $0.layout = layout; $0.interleaved = interleaved }
        let farm = try fixture.farm()
        let outcome = try farm.submit(fixture.options(output: "out"))
        #expect(try farm.status(request: outcome.request).state == "done")
        let record = try #require(try farm.store.request(outcome.request))
        #expect(record.configuration.contains("interleaved: \"\(interleaved)\""), "\(record.configuration)")
        let report = try TruthComparison(truthPath: XFELDarkSimulation.truthPath(inputDir: fixture.inputDir),
                                         constantsPath: fixture.joinedPath(output: "out")).run()
        #expect(report.agrees, "\(report.channels.flatMap(\.problems))")
    }

    @Test("a dark written by EXtra-data's mock writer runs end to end; its constants equal numpy's from EXtra-data's reading")
    func extraDataWrittenDark() throws {
        let dir = try TemporaryDirectory("mock-dark")
        let mock = try ExtraDataMockDark(dir: dir)
        let farm = try Farm(databasePath: dir.file("calfarm.sqlite"), environment: mock.environment)
        let outcome = try farm.submit(mock.options(output: dir.file("out"), executor: .local))
        let status = try farm.status(request: outcome.request)
        #expect(status.state == "done", "\(status.failed)")
        try mock.expectReferenceConstants(joined: mock.joinedPath(output: dir.file("out")))
    }
}
