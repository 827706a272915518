import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How long a write may wait for SQLite's write lock, counted from when the caller asked for the
/// write, not from when it reached the front of this process's write queue.
///
/// With a fixed busy timeout, requests queued behind one that waits for another process's lock
/// give up one after another, each a full timeout later (a 10 s lock made the second of two
/// writes wait 10 s and then succeed). With a deadline per write they all give up within the
/// timeout of their arrival, and the API answers 503 instead of hanging. Writes run on the
/// connection's queue thread, where the busy callback also runs, so the deadline travels in a
/// thread-local; reads (which rarely see SQLITE_BUSY in WAL mode) fall back to the same timeout
/// counted in tries.
enum WriteDeadline {
    private static let key = "attendify.storage.writeDeadline"
    private static let pause: useconds_t = 5_000

    static func fromNow(_ seconds: TimeInterval) -> TimeInterval { ProcessInfo.processInfo.systemUptime + seconds }

    static func `while`<T>(_ deadline: TimeInterval, _ body: () throws -> T) rethrows -> T {
        let thread = Thread.current
        thread.threadDictionary[key] = NSNumber(value: deadline)
        defer { thread.threadDictionary[key] = nil }
        return try body()
    }

    /// SQLite's busy handler: wait a little and retry until the deadline, then give up (SQLITE_BUSY).
    @Sendable static func shouldRetry(_ numberOfTries: Int) -> Bool {
        if let deadline = (Thread.current.threadDictionary[key] as? NSNumber)?.doubleValue {
            guard ProcessInfo.processInfo.systemUptime < deadline else { return false }
        } else if Double(numberOfTries) * Double(pause) / 1_000_000 >= SQLiteStore.busyTimeout {
            return false
        }
        usleep(pause)
        return true
    }
}
