import Core
import Foundation
import Synchronization

/// The tracker's memory: public id -> the event and its redirect target per offered provider.
/// Lookups take one short lock and never touch the database; misses and changes are filled in by
/// `LinkResolver` and `LinkTableRefresher`.
public final class LinkTable: Sendable {
    /// What the tracker needs to answer a click: the event to count it for, and where to send it.
    public struct Entry: Sendable {
        public var eventID: Int64
        /// Indexed by `ProviderType.index`; nil for providers the event does not offer.
        public var locations: [String?]

        public init(eventID: Int64, locations: [String?]) {
            self.eventID = eventID
            self.locations = locations
        }

        public init(_ item: PublishableEvent, links: ProviderLinks = ProviderLinks()) {
            var locations = [String?](repeating: nil, count: ProviderType.allCases.count)
            for type in item.settings.providers {
                locations[type.index] = links.url(for: type, event: item.event)
            }
            self.init(eventID: item.event.id, locations: locations)
        }

        public func location(for type: ProviderType) -> String? { locations[type.index] }
    }

    public enum Lookup: Sendable {
        case found(Entry)
        /// Recently looked up and not in the database.
        case knownMissing
        /// Never seen: ask the database.
        case unknown
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var missing: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let negativeTTL: Duration
    /// Bounds the negative cache so a flood of random ids cannot grow memory without limit.
    private let maximumMissing = 50_000

    public init(negativeTTL: Duration = .seconds(1)) {
        self.negativeTTL = negativeTTL
    }

    public func lookup(_ id: String) -> Lookup {
        state.withLock { state in
            if let entry = state.entries[id] { return .found(entry) }
            if let since = state.missing[id] {
                if ContinuousClock.now - since < negativeTTL { return .knownMissing }
                state.missing[id] = nil
            }
            return .unknown
        }
    }

    public func set(_ id: String, _ entry: Entry?) {
        state.withLock { state in
            if let entry {
                state.entries[id] = entry
                state.missing[id] = nil
            } else {
                state.entries[id] = nil
                if state.missing.count >= maximumMissing { state.missing.removeAll(keepingCapacity: true) }
                state.missing[id] = .now
            }
        }
    }

    /// Replaces the whole table (start-up).
    public func replaceAll(_ entries: [String: Entry]) {
        state.withLock { state in
            state.entries = entries
            state.missing.removeAll()
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
}

extension ProviderType {
    /// Position in `allCases`: a stable array index for per-provider tables.
    public var index: Int {
        switch self {
        case .google: 0
        case .ics: 1
        case .outlook: 2
        case .office365: 3
        case .yahoo: 4
        }
    }
}
