import Foundation

extension Farm {
    /// How long a submitter lease lasts when its holder neither finishes nor dies visibly (a
    /// controller on another host that hangs): long enough for the largest submission.
    static let submitterLeaseSeconds = 600.0

    /// Runs `body` as the request's only submitter: nobody else resets or submits its units
    /// meanwhile (a supervisor's retry, `resume`, `cancel`, `submit --wait`). Waits up to
    /// `waiting` seconds for another holder; nil (without running `body`) when it is still there.
    func asSubmitter<T>(_ record: RequestRecord, waiting: Double, _ body: () throws -> T) throws -> T? {
        let deadline = Date().addingTimeInterval(waiting)
        while try store.acquireLease(request: record.id, role: .submitter, holder: .current,
                                     expiresAt: Date().addingTimeInterval(Self.submitterLeaseSeconds)) != nil {
            guard Date() < deadline else { return nil }
            Thread.sleep(forTimeInterval: 0.5)
        }
        defer { try? store.releaseLease(request: record.id, role: .submitter, holder: .current) }
        return try body()
    }

    /// As ``asSubmitter(_:waiting:_:)``, waiting 60 s and then refusing with the holder's name.
    func asSubmitterOrRefuse<T>(_ record: RequestRecord, _ what: String, _ body: () throws -> T) throws -> T {
        if let result = try asSubmitter(record, waiting: 60, body) { return result }
        let holder = try store.lease(request: record.id, role: .submitter)?.holder ?? "another controller"
        throw FarmError.invalidState("cannot \(what) request \(record.id): \(holder) is submitting its job units; "
            + "try again when it has finished")
    }
}
