import Synchronization

/// Counts clicks per client per event over a minute from that client's first counted click. The
/// client is known only by a hash of its address, seeded per process by Swift's `Hasher`:
/// nothing here is stored or logged, and the hashes mean nothing after a restart.
///
/// The minute is each client's own, not the clock's: with calendar minutes a visitor could get
/// twice the limit across a minute's end (and tests that happened to straddle one saw nothing
/// throttled).
final class ClickRateLimiter: Sendable {
    private struct Entry {
        var start: Int64
        var count: Int
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var lastSweep: Int64 = 0
    }

    static let windowSeconds: Int64 = 60

    private let limit: Int
    private let state = Mutex(State())

    init(limitPerMinute: Int) {
        self.limit = limitPerMinute
    }

    /// Records one click and says whether it is still within the limit.
    func allow(client: String, eventID: Int64, epochSeconds: Int64) -> Bool {
        var hasher = Hasher()
        hasher.combine(client)
        hasher.combine(eventID)
        let key = hasher.finalize()
        let window = Self.windowSeconds
        return state.withLock { state in
            // Once a minute, forget clients whose minute is over: memory follows the last minute's
            // clients, as with calendar minutes.
            if epochSeconds - state.lastSweep >= window {
                state.entries = state.entries.filter { epochSeconds - $0.value.start < window }
                state.lastSweep = epochSeconds
            }
            var entry = state.entries[key] ?? Entry(start: epochSeconds, count: 0)
            if epochSeconds - entry.start >= window { entry = Entry(start: epochSeconds, count: 0) }
            entry.count += 1
            state.entries[key] = entry
            return entry.count <= limit
        }
    }
}
