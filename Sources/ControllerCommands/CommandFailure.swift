import ArgumentParser
import Farm
import Simulator

/// How commands turn errors into the one documented form: `calfarm: error: <description>` on
/// stderr and exit status 2 for bad input (options, configuration, plan, unknown ids, input
/// files) or 1 for runtime failures (database, SLURM, rendering, HDF5). Never a stack trace.
enum CommandFailure {
    /// Exit status for bad input.
    static let badInput: Int32 = 2
    /// Exit status for runtime failures (and for requests that ended failed or partial).
    static let runtime: Int32 = 1
    /// Exit status after SIGINT/SIGTERM (128 + 2, as shells report an interrupted command).
    static let interrupted: Int32 = 130

    /// Runs a command body, reporting any error as above and rethrowing it as an `ExitCode`
    /// (which ArgumentParser turns into the exit status without printing anything). With
    /// `json`, a refused plan also prints `{"error", "problems": [...]}` on stdout.
    static func run(json: Bool = false, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch let exit as CleanExit {
            throw exit
        } catch {
            Console.error(String(describing: error))
            if json, let refusal = Refusal(error) { try? JSONOutput.print(refusal) }
            throw ExitCode(exitStatus(for: error))
        }
    }

    /// A request refused before anything was stored: every problem, for scripts.
    struct Refusal: Encodable {
        var error: String
        var problems: [String]

        init?(_ error: Error) {
            switch error {
            case let error as PlanError: self.init(error: error.description, problems: error.problems)
            case let error as ConfigurationError: self.init(error: error.description, problems: [error.description])
            default: return nil
            }
        }

        init(error: String, problems: [String]) {
            self.error = error
            self.problems = problems
        }
    }

    /// 2 when the user can fix the error by changing the command line or its inputs, else 1.
    static func exitStatus(for error: Error) -> Int32 {
        switch error {
        case is ValidationError, is IndexListError, is ConfigurationError, is PlanError,
             is SimulationError, is TruthComparison.Error:
            return badInput
        case let error as FarmError:
            switch error {
            case .unknownRequest, .unknownJob: return badInput
            case .io, .invalidState: return runtime
            case .interrupted: return interrupted
            }
        case let error as StoreError:
            switch error {
            case .unknownRequest, .unknownJob: return badInput
            default: return runtime
            }
        default:
            return runtime
        }
    }
}
