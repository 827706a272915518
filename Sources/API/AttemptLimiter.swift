import Foundation
import Synchronization

/// Counts attempts per key in fixed windows (failed logins per e-mail or per client,
/// registrations per client). In memory only: keys are never stored, and a restart forgets them.
final class AttemptLimiter: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    private let limit: Int
    private let window: TimeInterval
    private let windows = Mutex([String: Window]())

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `key` may try again, or nil when it is under the limit.
    func retryAfter(_ key: String, now: Date) -> Int? {
        windows.withLock { windows in
            guard let current = windows[key], now.timeIntervalSince(current.start) < window else { return nil }
            guard current.count >= limit else { return nil }
            return max(1, Int((window - now.timeIntervalSince(current.start)).rounded(.up)))
        }
    }

    func record(_ key: String, now: Date) {
        windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            if let current = windows[key], now.timeIntervalSince(current.start) < window {
                windows[key] = Window(start: current.start, count: current.count + 1)
            } else {
                windows[key] = Window(start: now, count: 1)
            }
        }
    }

    func reset(_ key: String) {
        windows.withLock { windows in windows[key] = nil }
    }
}
