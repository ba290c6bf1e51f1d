import Foundation

/// Deliberate failures for testing the farm against real SLURM runs. Set in the submitting
/// environment (SLURM exports it to the job):
///
///     CALFARM_FAULT="process.ch03.*=fail,join=crash,gather.r0001.*=sleep:90"
///
/// Each rule is `<job-id glob>=<action>`; actions: `fail` (a clean failure with a result file),
/// `crash` (abort without a result file, like a segfault), `hang` (sleep until killed),
/// `sleep:N` (sleep N seconds, then run normally — used to exceed a time limit once).
/// A rule may be limited to one attempt with `@N`, e.g. `join=fail@1`.
public struct FaultInjection: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case fail, crash, hang, sleep(seconds: Int)
    }

    public struct Rule: Sendable, Equatable {
        public var pattern: String
        public var action: Action
        public var attempt: Int?
    }

    public var rules: [Rule]

    public static let environmentKey = "CALFARM_FAULT"

    public init(rules: [Rule]) { self.rules = rules }

    /// Parses the variable's value; malformed rules are an error naming the rule.
    public init(parsing text: String) throws {
        var rules: [Rule] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw WorkerError.badFaultRule(item) }
            var actionText = parts[1]
            var attempt: Int?
            if let at = actionText.firstIndex(of: "@") {
                guard let n = Int(actionText[actionText.index(after: at)...]) else { throw WorkerError.badFaultRule(item) }
                attempt = n
                actionText = String(actionText[..<at])
            }
            let action: Action
            switch actionText {
            case "fail": action = .fail
            case "crash": action = .crash
            case "hang": action = .hang
            default:
                guard actionText.hasPrefix("sleep:"), let s = Int(actionText.dropFirst(6)), s >= 0 else {
                    throw WorkerError.badFaultRule(item)
                }
                action = .sleep(seconds: s)
            }
            rules.append(Rule(pattern: parts[0], action: action, attempt: attempt))
        }
        self.rules = rules
    }

    /// The first action whose pattern matches `job` (and attempt, when the rule names one).
    public func action(for job: String, attempt: Int) -> Action? {
        rules.first { rule in
            fnmatch(rule.pattern, job, 0) == 0 && (rule.attempt == nil || rule.attempt == attempt)
        }?.action
    }
}
