import AGIPD
@testable import Calibration
import CalFarmTestSupport
import Testing

/// The streaming integer kernel against a naive double-precision two-pass computation.
@Suite struct DarkKernelTests {
    static let pixels = ModuleGeometry.asicPixels

    static func collection() -> ProductCollection {
        ProductCollection(runNumbers: ["r0001", "r0002", "r0003"], creationDate: "2026-01-01T00:00:00Z",
                          provenance: Provenance(calfarmVersion: "test", request: "req", configuration: ""),
                          inputFiles: [])
    }

    /// With 3 threads the 5 cells split 1 + 2 + 2, so the empty cell lies in a thread's range.
    @Test(arguments: [1, 3])
    func streamingSumsMatchANaiveComputationIncludingAbsentFramesAndEmptyCells(threads: Int) {
        let slots = 37, cells = 5, emptyCell = 3
        var random = SplitMix64(seed: 42)
        var constants = DarkConstants(cells: cells, collection: Self.collection())
        let accumulator = DarkAccumulator(cells: cells, threads: threads)
        #expect(accumulator.threads == threads)
        // Keep the data of every stage for the naive reference.
        var analogs: [[UInt16]] = [], digitals: [[UInt16]] = [], presents: [[UInt8]] = []
        for stage in 0..<3 {
            let base = UInt64(1000 + 4000 * stage)
            // Stage 2 also holds values beyond the 14-bit ADC range (corrupt data must still sum
            // exactly: such chunks take the kernel's 64-bit path).
            let analog = (0..<(slots * cells * Self.pixels)).map { _ in
                stage == 2 && random.below(50) == 0 ? UInt16(16_384 + random.below(49_151))
                                                     : UInt16(base + random.below(16_384 - base))
            }
            let digital = (0..<(slots * cells * Self.pixels)).map { _ in UInt16(3000 + 2000 * stage) + UInt16(random.below(400)) }
            var present = (0..<(slots * cells)).map { _ in random.below(4) == 0 ? UInt8(0) : 1 }
            if stage == 1 { for slot in 0..<slots { present[slot * cells + emptyCell] = 0 } }
            analogs.append(analog); digitals.append(digital); presents.append(present)

            accumulator.reset()
            // Two blocks of different sizes, as the process step streams them.
            for (start, count) in [(0, 20), (20, 17)] {
                let range = (start * cells * Self.pixels)..<((start + count) * cells * Self.pixels)
                analog[range].withUnsafeBufferPointer { a in
                    digital[range].withUnsafeBufferPointer { d in
                        present[(start * cells)..<((start + count) * cells)].withUnsafeBufferPointer { p in
                            accumulator.add(analog: a, digital: d, present: p, slots: count)
                        }
                    }
                }
            }
            accumulator.finish(stage: stage, into: &constants)
        }
        DarkThresholds.compute(into: &constants)

        var worst = 0.0
        var exactMismatches = 0
        for stage in 0..<3 {
            for cell in 0..<cells {
                let frames = (0..<slots).filter { presents[stage][$0 * cells + cell] != 0 }
                for pixel in 0..<Self.pixels {
                    let out = (stage * cells + cell) * Self.pixels + pixel
                    let values = frames.map { Double(analogs[stage][($0 * cells + cell) * Self.pixels + pixel]) }
                    let gains = frames.map { Double(digitals[stage][($0 * cells + cell) * Self.pixels + pixel]) }
                    if frames.isEmpty {
                        if constants.frameCount[out] != 0 || !constants.stddev[out].isNaN || constants.offset[out] != 0 {
                            exactMismatches += 1
                        }
                        continue
                    }
                    let mean = values.reduce(0, +) / Double(values.count)
                    let sigma = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
                    let gainMean = gains.reduce(0, +) / Double(gains.count)
                    if constants.offset[out] != Int64(mean.rounded(.towardZero))
                        || constants.gainlevelMean[out] != Int64(gainMean.rounded(.towardZero))
                        || constants.frameCount[out] != UInt32(frames.count) {
                        exactMismatches += 1
                    }
                    worst = max(worst, abs(constants.stddev[out] - sigma) / sigma)
                }
            }
        }
        #expect(exactMismatches == 0)
        #expect(worst < 1e-12)
        // The empty cell really was empty in stage 1, and its thresholds are NaN; others floor.
        let perStage = cells * Self.pixels
        #expect(constants.frameCount[perStage + emptyCell * Self.pixels] == 0)
        #expect(constants.threshold[emptyCell * Self.pixels].isNaN)
        #expect(constants.threshold[perStage + emptyCell * Self.pixels].isNaN)
        let i = 0 // cell 0, pixel 0: stages 0/1 both have frames
        let expected = ((constants.gainlevelMean[i] + constants.gainlevelMean[perStage + i]) / 2)
        #expect(constants.threshold[i] == Double(expected))
    }

    @Test func referenceValuesFromTheOriginalGiveOffset500AndSigma258() {
        // §6.3 numeric check: analog 100…900 over 9 trains, digital 5000 → offset 500,
        // stddev 258.199, gain level 5000, thresholds 5000.
        let cells = 1
        let accumulator = DarkAccumulator(cells: cells)
        var constants = DarkConstants(cells: cells, collection: Self.collection())
        let analog = (1...9).flatMap { v in [UInt16](repeating: UInt16(100 * v), count: Self.pixels) }
        let digital = [UInt16](repeating: 5000, count: 9 * Self.pixels)
        let present = [UInt8](repeating: 1, count: 9)
        for stage in 0..<3 {
            accumulator.reset()
            analog.withUnsafeBufferPointer { a in digital.withUnsafeBufferPointer { d in present.withUnsafeBufferPointer { p in
                accumulator.add(analog: a, digital: d, present: p, slots: 9)
            }}}
            accumulator.finish(stage: stage, into: &constants)
        }
        DarkThresholds.compute(into: &constants)
        #expect(constants.offset.allSatisfy { $0 == 500 })
        #expect(constants.gainlevelMean.allSatisfy { $0 == 5000 })
        #expect(constants.stddev.allSatisfy { abs($0 - 258.198_889_747_161_1) < 1e-9 })
        #expect(constants.threshold.allSatisfy { $0 == 5000 })
    }

    @Test func thresholdsFloorTheHalfSumOfTruncatedGainLevels() {
        var constants = DarkConstants(cells: 1, collection: Self.collection())
        let perStage = Self.pixels
        constants.frameCount = [UInt32](repeating: 1, count: 3 * perStage)
        constants.gainlevelMean[0] = 5001; constants.gainlevelMean[perStage] = 6000; constants.gainlevelMean[2 * perStage] = 7003
        DarkThresholds.compute(into: &constants)
        #expect(constants.threshold[0] == 5500)        // floor(11001 / 2)
        #expect(constants.threshold[perStage] == 6501) // floor(13003 / 2)
    }
}
