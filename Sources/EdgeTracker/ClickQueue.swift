import Core
import Synchronization

/// Clicks acknowledged to visitors but not yet committed. Bounded: beyond `capacity` a click is
/// dropped and counted, so a stuck database can never exhaust memory or crash the tracker.
public final class ClickQueue: Sendable {
    private let clicks: Mutex<[Click]>
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        self.clicks = Mutex([])
    }

    /// False when the queue is full and the click was dropped.
    public func append(_ click: Click) -> Bool {
        clicks.withLock { clicks in
            guard clicks.count < capacity else { return false }
            clicks.append(click)
            return true
        }
    }

    /// Takes up to `limit` of the oldest clicks.
    public func take(upTo limit: Int) -> [Click] {
        clicks.withLock { clicks in
            let count = min(limit, clicks.count)
            let batch = Array(clicks[..<count])
            clicks.removeFirst(count)
            return batch
        }
    }

    /// Puts a batch that could not be written back at the front, keeping order.
    public func putBack(_ batch: [Click]) {
        clicks.withLock { clicks in clicks.insert(contentsOf: batch, at: 0) }
    }

    public var count: Int { clicks.withLock { $0.count } }
}
