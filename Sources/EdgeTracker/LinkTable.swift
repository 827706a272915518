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
        /// From this moment (epoch seconds) the add types lead to `afterEnd` instead: the event
        /// is over, and a calendar entry for it would be useless.
        public var endsAt: Int64
        public var afterEnd: String

        public init(eventID: Int64, locations: [String?], endsAt: Int64 = .max, afterEnd: String = "") {
            self.eventID = eventID
            self.locations = locations
            self.endsAt = endsAt
            self.afterEnd = afterEnd
        }

        /// The entry of one event. `publicBase` makes the subscribe targets absolute (a
        /// `webcal://` link cannot be relative).
        public init(_ item: PublishableEvent, publicBase: String, links: ProviderLinks = ProviderLinks()) {
            let event = item.event
            let settings = item.settings
            // Built only for events that offer a subscribe button (most do not).
            let subscription = settings.providers.contains { !$0.addsEvent } ? SubscriptionLinks(for: item, publicBase: publicBase) : nil
            // A dead event's add links show its widget (which says why); after the end, the
            // recording when there is one.
            let widget = ProviderLinks.widgetPath(event.publicID)
            var locations = [String?](repeating: nil, count: ProviderType.allCases.count)
            for type in settings.providers {
                if !type.addsEvent {
                    locations[type.index] = subscription?.url(for: type)
                } else if event.status == .cancelled {
                    locations[type.index] = widget
                } else {
                    // A series' Outlook/Yahoo links (from before it became one) get its .ics.
                    locations[type.index] = links.url(for: type, event: event) ?? ProviderLinks.icsPath(event.publicID)
                }
            }
            self.init(
                eventID: event.id, locations: locations, endsAt: event.status == .cancelled ? .max : event.lastEnd.epochSeconds,
                afterEnd: event.recordingURL ?? widget)
        }

        /// Where a click of `type` at `now` (epoch seconds) goes; nil when the event does not offer it.
        public func location(for type: ProviderType, at now: Int64) -> String? {
            guard let location = locations[type.index] else { return nil }
            return type.addsEvent && now >= endsAt ? afterEnd : location
        }
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

    /// The public origin subscribe links point at (`https://attendify.example`, no slash).
    public let publicBase: String

    public init(negativeTTL: Duration = .seconds(1), publicBase: String = TrackerConfig.defaultPublicBase) {
        self.negativeTTL = negativeTTL
        self.publicBase = publicBase
    }

    /// The entry of one event, with this table's public origin.
    public func entry(_ item: PublishableEvent) -> Entry { Entry(item, publicBase: publicBase) }

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
        case .subscribeWebcal: 5
        case .subscribeGoogle: 6
        case .subscribeOutlook: 7
        case .teams: 8
        }
    }
}
