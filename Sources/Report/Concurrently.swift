import Dispatch
import Foundation

/// Runs `body(i)` for i in 0..<count on every core; each call writes only its own slot.
enum Concurrently {
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escaping in
            nonisolated(unsafe) let shared = escaping
            DispatchQueue.concurrentPerform(iterations: count) { shared($0) }
        }
    }
}

/// Results written from several threads, one slot each (a lock guards the array).
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    var values: [T?] { lock.withLock { slots } }
}
