import Dispatch

/// Runs `body(part)` for parts 0..<parts on as many threads, returning when all are done.
/// The callers hand each part a disjoint range of the buffers they write, which is why the
/// non-Sendable closure may cross threads.
enum Parallel {
    static func forEachPart(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else { return body(0) }
        withoutActuallyEscaping(body) { escaping in
            nonisolated(unsafe) let shared = escaping
            DispatchQueue.concurrentPerform(iterations: parts) { shared($0) }
        }
    }
}
