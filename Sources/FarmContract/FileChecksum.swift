import Foundation

/// Size and XXH64 of a file, as recorded in `JobResult.Output` and checked by the controller.
public enum FileChecksum {
    public static let prefix = "xxh64:"

    /// Reads `path` once with a reused buffer and returns its output record.
    public static func output(for path: String) throws -> JobResult.Output {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ContractError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let capacity = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = XXH64()
        var bytes: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                throw ContractError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            bytes += Int64(n)
        }
        return JobResult.Output(path: path, bytes: bytes, checksum: format(hasher.finalize()))
    }

    public static func format(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
