import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking loopback TCP connection for tests that misbehave on purpose (trickling header
/// bytes, never reading, holding connections open). Every call returns at once, so waiting is
/// always a poll with a deadline and never blocks Swift's cooperative pool, which the server's
/// lookups share.
final class LoopbackSocket: @unchecked Sendable {
    enum Receive: Equatable {
        case data([UInt8])
        case wouldBlock
        case closed
    }

    private let descriptor: Int32
    /// Everything the server has sent so far.
    private(set) var received: [UInt8] = []

    init(port: Int) throws {
        descriptor = try RawHTTPClient.connectLoopback(port: port)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { Glibc.close(descriptor) }

    /// Sends what the kernel takes now: the count, 0 when its buffer is full, nil once the server closed.
    func send(_ bytes: ArraySlice<UInt8>) -> Int? {
        let count = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if count >= 0 { return count }
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : nil
    }

    /// Sends all of `bytes`, polling while the kernel buffer is full; false if the server closed
    /// or `timeout` passed first.
    func sendAll(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var sent = 0
        while sent < bytes.count {
            guard let count = send(bytes[sent...]) else { return false }
            sent += count
            if count == 0 {
                guard ContinuousClock.now < deadline else { return false }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        return true
    }

    func receive() -> Receive {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 {
            received.append(contentsOf: buffer[..<count])
            return .data(Array(buffer[..<count]))
        }
        if count == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .closed
    }

    /// Reads until the server closes the connection or `timeout` passes; true if it closed.
    func waitUntilClosed(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch receive() {
            case .closed: return true
            case .data: continue
            case .wouldBlock:
                guard ContinuousClock.now < deadline else { return false }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// True when the server has closed the connection (checked without waiting).
    var isClosedByServer: Bool {
        while true {
            switch receive() {
            case .closed: return true
            case .data: continue
            case .wouldBlock: return false
            }
        }
    }

    /// Reads until `count` complete responses (head plus `Content-Length` body) have arrived.
    func responses(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [(status: Int, head: String)] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let parsed = Self.parse(received)
            if parsed.count >= count { return Array(parsed.prefix(count)) }
            switch receive() {
            case .data: continue
            case .closed: return parsed
            case .wouldBlock:
                guard ContinuousClock.now < deadline else { return parsed }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    static func parse(_ bytes: [UInt8]) -> [(status: Int, head: String)] {
        var result: [(Int, String)] = []
        var rest = bytes[...]
        while let end = rest.firstRange(of: [13, 10, 13, 10]) {
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
            let fields = head.split(separator: " ", maxSplits: 2)
            guard fields.count >= 2, let status = Int(fields[1]) else { break }
            var length = 0
            for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
            guard rest[end.upperBound...].count >= length else { break }
            result.append((status, head))
            rest = rest[(end.upperBound + length)...]
        }
        return result
    }
}
