import Core
import Synchronization

/// Clicks (or views) acknowledged to visitors but not yet committed. Bounded: beyond `capacity`
/// one is dropped and counted, so a stuck database can never exhaust memory or crash the tracker.
///
/// When the writer is healthy but behind (the queue more than half full), `holdsIntake` tells the
/// HTTP side to stop reading new requests for a moment: answering faster than clicks can be
/// stored would only fill the queue and then drop clicks that were already acknowledged. While
/// writes fail (the database is away) intake is never held: visitors keep being redirected, and
/// the queue is the buffer.
public final class InteractionQueue<Element: Sendable>: Sendable {
    private let clicks: Mutex<[Element]>
    public let capacity: Int
    private let depth = Atomic<Int>(0)
    private let writesWork = Atomic<Bool>(true)

    public init(capacity: Int) {
        self.capacity = capacity
        self.clicks = Mutex([])
    }

    /// False when the queue is full and the click was dropped.
    public func append(_ click: Element) -> Bool {
        clicks.withLock { clicks in
            guard clicks.count < capacity else { return false }
            clicks.append(click)
            depth.store(clicks.count, ordering: .relaxed)
            return true
        }
    }

    /// Takes up to `limit` of the oldest clicks.
    public func take(upTo limit: Int) -> [Element] {
        clicks.withLock { clicks in
            let count = min(limit, clicks.count)
            let batch = Array(clicks[..<count])
            clicks.removeFirst(count)
            depth.store(clicks.count, ordering: .relaxed)
            return batch
        }
    }

    /// Puts a batch that could not be written back at the front, keeping order.
    public func putBack(_ batch: [Element]) {
        clicks.withLock { clicks in
            clicks.insert(contentsOf: batch, at: 0)
            depth.store(clicks.count, ordering: .relaxed)
        }
    }

    /// The writer says whether its last write worked.
    public func writesSucceeded(_ succeeded: Bool) {
        writesWork.store(succeeded, ordering: .relaxed)
    }

    /// True while the writer works but is more than half a queue behind (lock-free: asked on
    /// every read of every connection).
    public var holdsIntake: Bool {
        depth.load(ordering: .relaxed) * 2 > capacity && writesWork.load(ordering: .relaxed)
    }

    public var count: Int { clicks.withLock { $0.count } }
}

/// The clicks waiting for the writer.
public typealias ClickQueue = InteractionQueue<Click>
/// The widget views waiting for the writer.
public typealias ImpressionQueue = InteractionQueue<Impression>
