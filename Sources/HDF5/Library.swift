// The single door to libhdf5. Serial builds of libhdf5 are not thread-safe, so every C call in
// this module runs under one recursive lock, through `Library.call`, which checks the return
// value and turns a failure into an `HDF5Error` carrying libhdf5's own error stack.
// HDF5's automatic printing of that stack to stderr is switched off before a thread's first call:
// Debian's build has H5_HAVE_THREADSAFE, which makes that setting (and the stack) per thread.
internal import CHDF5
import Foundation

/// Where an operation happens, named in error messages: the file path and the object path in it.
struct Site: Sendable {
    let file: String
    let object: String

    /// The site of `path` relative to this object (absolute paths start again at the root).
    func child(_ path: String) -> Site {
        if path.hasPrefix("/") { return Site(file: file, object: path) }
        if object.isEmpty || object == "/" { return Site(file: file, object: "/" + path) }
        return Site(file: file, object: object + "/" + path)
    }

    /// The site of attribute `name` on this object, written `object@name`.
    func attribute(_ name: String) -> Site { Site(file: file, object: "\(object)@\(name)") }

    func error(call operation: String, messages: [String]) -> HDF5Error {
        .call(operation: operation, file: file, object: object, messages: messages)
    }
    func notFound() -> HDF5Error { .notFound(file: file, object: object) }
    func invalid(_ reason: String) -> HDF5Error { .invalidArgument(file: file, object: object, reason: reason) }
    func shapeMismatch(expected: [Int], found: [Int]) -> HDF5Error {
        .shapeMismatch(file: file, object: object, expected: expected, found: found)
    }
    func typeMismatch(expected: String, found: String) -> HDF5Error {
        .typeMismatch(file: file, object: object, expected: expected, found: found)
    }
}

/// One-time initialisation, the global lock and the call funnel.
enum Library {
    /// Recursive because a handle may be released (closing its id) while the lock is held.
    private static let lock = NSRecursiveLock()

    /// Runs once, under the lock: opens the library.
    private static let initialized: Bool = H5open() >= 0

    /// Marks threads whose error printing is already off (non-nil value = done).
    private static let silencedThreadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` holding the libhdf5 lock (the library initialised and this thread's
    /// automatic error printing off first).
    static func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        _ = initialized
        if pthread_getspecific(silencedThreadKey) == nil {
            _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
            _ = pthread_setspecific(silencedThreadKey, UnsafeRawPointer(bitPattern: 1))
        }
        return try body()
    }

    /// Calls libhdf5 under the lock; a negative result (or whatever `failed` says) throws an
    /// `HDF5Error.call` with the error stack read before anything else can clear it.
    @discardableResult
    static func call<R: BinaryInteger>(_ operation: String, _ site: Site,
                                       failed: (R) -> Bool = { $0 < 0 },
                                       _ body: () -> R) throws -> R {
        try withLock {
            let result = body()
            if failed(result) { throw site.error(call: operation, messages: takeErrorStack()) }
            return result
        }
    }

    /// Calls a libhdf5 function returning a new id and wraps it in its owner; failures throw,
    /// so an invalid id is never wrapped.
    static func open(_ kind: HandleKind, _ operation: String, _ site: Site,
                     _ body: () -> hid_t) throws -> Handle {
        try withLock {
            let id = try call(operation, site, body)
            return Handle(id: id, kind: kind)
        }
    }

    /// The current error stack, outermost call first, as `function(): description` lines; clears it.
    private static func takeErrorStack() -> [String] {
        let collector = ErrorStackCollector()
        _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, entry, client in
            guard let entry, let client else { return 0 }
            let collector = Unmanaged<ErrorStackCollector>.fromOpaque(client).takeUnretainedValue()
            let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
            let description = entry.pointee.desc.map { String(cString: $0) } ?? ""
            collector.messages.append("\(function)(): \(description)")
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        _ = H5Eclear2(chdf5_e_default())
        return collector.messages
    }
}

/// Receives the error-stack entries from the C walk callback (which cannot capture context).
private final class ErrorStackCollector {
    var messages: [String] = []
}
