import Dispatch
import Synchronization

/// A wake-up from the database ("something changed; read the change log"), for the tracker's
/// link table and the file follower. It carries no data on purpose: the `link_changes` sequence is
/// the truth, and a wake-up only says when to read it. Fired while nobody waits, it stays pending
/// (one, however many fired), so a change between two reads is never slept through.
public final class ChangeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when fired (or already pending), or after `timeout` at the latest: the poll that
    /// catches what a lost notification would have said. Cancelling the waiting task also ends
    /// it, so a follower stops at once instead of one poll later.
    public func wait(upTo timeout: Duration) async {
        await withTaskCancellationHandler {
            await waitUncancellably(upTo: timeout)
        } onCancel: {
            fire()
        }
    }

    private func waitUncancellably(upTo timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> UInt64? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else { return continuation.resume() }
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.generation == generation, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}

/// How a follower of the change log waits between reads: woken by the store's push where it has
/// one (then polling once a second is only the safety net for a lost notification), polling every
/// `pollInterval` where it has none (SQLite).
public struct ChangeWakeups: Sendable {
    let signal = ChangeSignal()
    public let poll: Duration

    public init(store: any DataStore, pollInterval: Duration) {
        poll = store.deliverChanges(to: signal) ? max(pollInterval, .seconds(1)) : pollInterval
    }

    /// Until the next wake-up, or `poll` (or the shorter `limit`) at the latest.
    public func next(within limit: Duration? = nil) async {
        await signal.wait(upTo: min(limit ?? poll, poll))
    }
}

extension DataStore {
    /// Every id changed after `position`, read to the end of the log, with the new position; nil
    /// when the log was pruned past `position` (the caller missed changes and reloads everything).
    public func changes(after position: Int64) throws -> (ids: Set<PublicID>, latest: Int64)? {
        var ids: Set<PublicID> = []
        var current = position
        while true {
            let page = try linkChanges(after: current)
            if page.missedSome { return nil }
            guard page.latest > current else { return (ids, current) }
            ids.formUnion(page.ids)
            current = page.latest
        }
    }
}
