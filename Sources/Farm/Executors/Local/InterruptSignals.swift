import Dispatch
import Foundation

/// SIGINT and SIGTERM while the local executor runs a request: the first calls `handler` (the
/// executor stops its workers and closes their attempts), a second ends the controller at once
/// (exit 130; the next `status` or `resume` reclaims what it left). Dispositions are restored by
/// `restore()`.
final class InterruptSignals: @unchecked Sendable {  // `count` is touched only on `queue`
    static let signals: [Int32] = [SIGINT, SIGTERM]
    private let queue = DispatchQueue(label: "calfarm.interrupt")
    private var sources: [DispatchSourceSignal] = []
    private var count = 0

    init(handler: @escaping @Sendable (Int32) -> Void) {
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.count += 1
                if self.count > 1 {
                    FileHandle.standardError.write(Data("second interrupt: leaving now; `calfarm resume` finishes the request\n".utf8))
                    exit(130)
                }
                handler(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    func restore() {
        sources.forEach { $0.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
