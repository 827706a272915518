import Synchronization

/// Counts clicks per client per event in one-minute windows. The client is known only by a hash
/// of its address, seeded per process by Swift's `Hasher`: nothing here is stored or logged, and
/// the hashes mean nothing after a restart.
final class ClickRateLimiter: Sendable {
    private struct Window {
        var minute: Int64 = 0
        var counts: [Int: Int] = [:]
    }

    private let limit: Int
    private let window = Mutex(Window())

    init(limitPerMinute: Int) {
        self.limit = limitPerMinute
    }

    /// Records one click and says whether it is still within the limit.
    func allow(client: String, eventID: Int64, epochSeconds: Int64) -> Bool {
        var hasher = Hasher()
        hasher.combine(client)
        hasher.combine(eventID)
        let key = hasher.finalize()
        let minute = epochSeconds / 60
        return window.withLock { window in
            if window.minute != minute {
                window.minute = minute
                window.counts.removeAll(keepingCapacity: true)
            }
            let count = window.counts[key, default: 0] + 1
            window.counts[key] = count
            return count <= limit
        }
    }
}
