import Foundation

extension Farm {
    /// Appends to the request's event log (what the controller did and why), best effort: an
    /// event that cannot be written never fails the operation it describes.
    func log(_ request: String, _ kind: String, _ message: String, job: String? = nil) {
        _ = try? store.appendEvents([EventRecord(request: request, job: job, time: Date(), kind: kind, message: message)])
    }
}
