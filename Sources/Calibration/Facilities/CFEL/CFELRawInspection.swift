import AGIPD
import FarmContract
import Foundation

/// `calfarm-worker inspect` for CFEL parts: each run's parts are opened together (headers and
/// sequence numbers), so a part that does not open, a frame count that does not fit the cells,
/// a frame beyond the run, or a frame in two parts is refused at plan time, naming the file.
public enum CFELRawInspection {
    public static func inspect(_ request: InspectionRequest) -> [InspectionReport.File] {
        let cells = request.cells ?? 352
        var reports: [InspectionReport.File] = []
        let byRun = Dictionary(grouping: request.files, by: \.run)
        for run in byRun.keys.sorted() {
            let files = byRun[run]!.sorted { $0.sequence < $1.sequence }
            var problems: [String: String] = [:]
            var frames: [String: Int] = [:]
            do {
                let parts = try CFELRunParts(run: run, paths: files.map(\.path), cells: cells)
                for part in parts.parts { frames[part.path] = part.frames }
                parts.close()
            } catch let error as CalibrationError {
                // The problem goes to the file it names (else the run's first part).
                let named = files.first { file in
                    if case .badInput(let path, _) = error { return path == file.path }
                    return false
                } ?? files[0]
                problems[named.path] = error.message(about: named.path)
            } catch {
                problems[files[0].path] = String(describing: error)
            }
            for file in files {
                reports.append(InspectionReport.File(run: file.run, channel: file.channel, sequence: file.sequence,
                                                     path: file.path, problem: problems[file.path], cells: cells,
                                                     frames: frames[file.path]))
            }
        }
        return reports
    }
}
