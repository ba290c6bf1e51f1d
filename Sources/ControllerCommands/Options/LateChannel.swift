import ArgumentParser

/// `--late-channel CH:N`: channel CH starts N trains late (simulate).
struct LateChannel: Sendable {
    var channel: Int, trains: Int
    init(argument: String) throws {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let channel = Int(parts[0]), let trains = Int(parts[1]) else {
            throw ValidationError("--late-channel '\(argument)' must look like CHANNEL:TRAINS, e.g. 3:2")
        }
        (self.channel, self.trains) = (channel, trains)
    }
}
