import Foundation
import Synchronization

/// Counts attempts per key in fixed windows (failed logins per e-mail or per client,
/// registrations per client). In memory only: keys are never stored, and a restart forgets them.
///
/// An attempt *reserves* its slot before the expensive work (bcrypt) and in the same lock that
/// checks the limit, so parallel requests cannot all pass the check before any of them is
/// counted. A login that turns out right gives its slot back (`release`) or clears the key.
final class AttemptLimiter: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    private let limit: Int
    private let window: TimeInterval
    private let windows = Mutex([String: Window]())
    /// Bounds memory under a flood of distinct keys: past this, expired windows are dropped.
    private static let pruneThreshold = 100_000

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Takes a slot for `key`: nil when it was under the limit (the attempt now counts), otherwise
    /// the seconds until it may try again (nothing is counted).
    func reserve(_ key: String, now: Date) -> Int? {
        windows.withLock { windows in
            if windows.count > Self.pruneThreshold { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            guard var current = windows[key], now.timeIntervalSince(current.start) < window else {
                windows[key] = Window(start: now, count: 1)
                return nil
            }
            guard current.count < limit else {
                return max(1, Int((window - now.timeIntervalSince(current.start)).rounded(.up)))
            }
            current.count += 1
            windows[key] = current
            return nil
        }
    }

    /// Gives back one reserved slot (the attempt turned out not to count, e.g. a right password).
    func release(_ key: String) {
        windows.withLock { windows in
            guard var current = windows[key] else { return }
            current.count = max(0, current.count - 1)
            windows[key] = current
        }
    }

    func reset(_ key: String) {
        windows.withLock { windows in windows[key] = nil }
    }
}
