import Synchronization

/// Bounds the bcrypt work the API accepts at once. Each check costs ~0.27 s of a core, so an
/// unbounded queue lets any client (many clients, or one with rate limits off) pile up minutes of
/// CPU and make every sign-in wait behind it. Past `capacity` jobs running or waiting, a request
/// is refused at once with 503 and `Retry-After` instead of queueing.
final class PasswordWorkGate: Sendable {
    let capacity: Int
    private let outstanding = Mutex(0)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        let admitted = outstanding.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError.unavailable(reason: "Too many sign-ins are being checked right now.", retryAfter: 1)
        }
        defer { outstanding.withLock { $0 -= 1 } }
        return try await work()
    }
}
