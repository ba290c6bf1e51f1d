import CalFarmTestSupport
import Foundation
import Testing

/// CFEL parts CalFarm did not write, read by an installed `calfarm` run as a user runs it.
@Suite("CFEL parts written by h5py, through an installed calfarm")
struct CFELForeignFilesTests {
    @Test("h5py-written parts (chunked gzip int16 data, uint64 sequence numbers of shape (n, 1), names without the tint, a split pair, a lost frame): submit through PATH from another directory equals the direct computation")
    func h5pyPartsThroughPath() throws {
        let installed = try InstalledCalFarm()
        let input = "\(installed.workingDirectory)/in"
        try PythonScript.run("""
            import h5py, numpy as np, os, sys
            d = os.path.join(sys.argv[1], 'temperature_m20C', 'dark')
            os.makedirs(d)
            rng = np.random.default_rng(5)
            cells, trains = 2, 5
            total = 2 * cells * trains
            for k, (run, name) in enumerate([(1, 'hg'), (2, 'mg'), (3, 'lg')]):
                seq = np.arange(1, total + 1)
                seq = seq[seq != 7]                  # train 1, cell 1: its analog frame is lost
                for p, s in enumerate([seq[:8], seq[8:]]):  # part 0 ends on analog 9, part 1 opens with digital 10
                    data = rng.normal(3000 + 1000 * k, 10, (len(s), 128, 512))
                    digital = s % 2 == 0
                    data[digital] = rng.normal(4000 + 2000 * k, 20, (int(digital.sum()), 128, 512))
                    with h5py.File(os.path.join(d, f'M304_m2_dark_{name}_{run:05d}_part{p:05d}.nxs'), 'w') as f:
                        f.create_dataset('entry/instrument/detector/data', data=data.astype('int16'),
                                         chunks=(1, 128, 512), compression='gzip')
                        f['entry/instrument/detector/sequence_number'] = s.astype('uint64').reshape(-1, 1)
                        f['entry/instrument/detector/collection/frame_numbers'] = np.array([total], 'uint32')
            """, [input])
        let submit = try installed.calfarm(["submit", "--cfel", "--module", "M304", "--temperature", "temperature_m20C",
                                            "--type", "dark", "--input-dir", "in", "--output-dir", "out", "--cells", "2",
                                            "--executor", "local", "--wait", "--db", "calfarm.sqlite",
                                            "--set", "process.n_jobs=2"])
        #expect(submit.status == 0, "\(submit.stdout)\n\(submit.stderr)")
        let joined = "\(installed.workingDirectory)/out/M304/temperature_m20C/dark/tint150ns/r0001-r0002-r0003/M304_dark_joined_constants.h5"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CalFarmTestSupport/Scripts/cfel_direct.py").standardized.path
        let direct = try ChildProcess.run("python3", [script, "dark", "\(input)/temperature_m20C/dark", "M304", joined,
                                                      "--runs", "1", "2", "3", "--cells", "2"],
                                          environment: ChildProcess.baseEnvironment())
        #expect(direct.status == 0, "\(direct.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(direct.stdout.utf8)) as? [String: Any]
        for key in ["offset", "gainlevel_mean", "frame_count"] { #expect(result?[key] as? Int == 0, "\(key): \(direct.stdout)") }
        #expect(result?["threshold"] as? Double == 0 && (result?["stddev_max_relative"] as? Double ?? 1) < 1e-12, "\(direct.stdout)")
        // Train 1's cell 1 lost its analog frame; the split pair (frames 9, 10) counts.
        #expect((result?["frames_per_cell"] as? [[Int]]) == Array(repeating: [5, 4], count: 3), "\(direct.stdout)")
    }
}
