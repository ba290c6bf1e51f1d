import ArgumentParser
import Calibration
import FarmContract
import Foundation

/// `calfarm-worker inspect`: reads an `InspectionRequest` (JSON) on standard input and writes
/// an `InspectionReport` on standard output: the worker's version and capabilities, and the
/// header facts of the raw files. `calfarm plan` and `submit` call it before anything is stored.
/// Exit status: 0 with a report (problems with files are in the report), 2 for a request the
/// worker cannot read.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Report this worker's version and capabilities and the headers of raw files (JSON on stdin and stdout).")

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let request: InspectionRequest
        do {
            request = try ContractJSON.decode(InspectionRequest.self, from: input,
                                              formatVersion: InspectionRequest.currentFormatVersion, path: "standard input")
        } catch {
            FileHandle.standardError.write(Data("calfarm-worker inspect: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let files = switch request.facility {
        case .xfel: XFELRawInspection.inspect(request)
        case .cfel: CFELRawInspection.inspect(request)
        }
        let report = InspectionReport(workerVersion: CalFarmVersion.current, specFormatVersion: JobSpec.currentFormatVersion,
                                      capabilities: StepDispatch.capabilities, files: files)
        FileHandle.standardOutput.write(try ContractJSON.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
