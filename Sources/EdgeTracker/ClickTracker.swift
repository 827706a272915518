import Core
import Foundation
import Logging
import Synchronization

/// Decides what a `/track/{public_id}/{type}[/{placement}]` request gets, and queues the click
/// when it counts; `/track/{public_id}/view[/{placement}]` is the widget's view beacon, answered
/// 204 and counted by the same rules (no `HEAD`, no bots, a per-visitor limit). Transport-free:
/// the bare NIO server (`attendify track`) and the Hummingbird route (`attendify serve`) both
/// call it.
public final class ClickTracker: Sendable {
    /// A track request, reduced to what the decision needs.
    public struct Request: Sendable {
        public var isHead: Bool
        /// The path after `/track/`, e.g. `AbCd.../google` (query already removed).
        public var idBytes: ArraySlice<UInt8>
        public var typeBytes: ArraySlice<UInt8>
        /// The optional third segment: the placement whose widget sent the request.
        public var placementBytes: ArraySlice<UInt8>?
        public var userAgent: String?
        /// The TCP peer's address.
        public var peerAddress: String?
        public var forwardedFor: String?
        /// `BotFilter`'s verdict on `userAgent`, when the caller already knows it (a connection
        /// sends the same user agent with every request, so the server checks it once).
        public var automated: Bool?

        public init(
            isHead: Bool, idBytes: ArraySlice<UInt8>, typeBytes: ArraySlice<UInt8>, userAgent: String?, peerAddress: String?,
            forwardedFor: String?, automated: Bool? = nil, placementBytes: ArraySlice<UInt8>? = nil
        ) {
            self.isHead = isHead
            self.idBytes = idBytes
            self.typeBytes = typeBytes
            self.placementBytes = placementBytes
            self.userAgent = userAgent
            self.peerAddress = peerAddress
            self.forwardedFor = forwardedFor
            self.automated = automated
        }
    }

    public enum Outcome: Sendable, Equatable {
        case redirect(location: String)
        /// The view beacon of a known event: 204, nothing to show.
        case viewed
        case notFound
        /// The id is not in memory and the database cannot be asked right now (503, Retry-After):
        /// saying 404 would tell the visitor a live event does not exist.
        case unavailable
    }

    let table: LinkTable
    let queue: ClickQueue
    let impressions: ImpressionQueue
    let hasher: VisitorHasher
    let database: any DataStore
    let config: TrackerConfig
    public let metrics: TrackerMetrics
    let limiter: ClickRateLimiter
    /// Views have their own budget: a visitor's views must not use up their clicks.
    let viewLimiter: ClickRateLimiter
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        database: any DataStore, config: TrackerConfig, table: LinkTable, queue: ClickQueue, metrics: TrackerMetrics,
        logger: Logger, impressions: ImpressionQueue? = nil, hasher: VisitorHasher = VisitorHasher(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.config = config
        self.table = table
        self.queue = queue
        self.impressions = impressions ?? ImpressionQueue(capacity: config.queueCapacity)
        self.hasher = hasher
        self.metrics = metrics
        self.limiter = ClickRateLimiter(limitPerMinute: config.clickLimitPerMinute)
        self.viewLimiter = ClickRateLimiter(limitPerMinute: config.clickLimitPerMinute)
        self.logger = logger
        self.now = now
    }

    private static let trackPrefix = Array("/track/".utf8)
    static let viewSegment = Array("view".utf8)

    /// True while either writer is healthy but behind: the HTTP side stops reading for a moment.
    public var holdsIntake: Bool { queue.holdsIntake || impressions.holdsIntake }

    /// Splits `/track/{id}/{type}[/{placement}][?query]` into its segments; nil for any other
    /// shape (more segments, `..`, empty parts, overlong paths).
    public static func split(path: some Collection<UInt8>) -> (id: ArraySlice<UInt8>, type: ArraySlice<UInt8>, placement: ArraySlice<UInt8>?)? {
        let prefix = trackPrefix
        guard path.count <= 200 else { return nil }
        var bytes = ArraySlice(path)
        if let query = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            bytes = bytes[..<query]
        }
        guard bytes.starts(with: prefix) else { return nil }
        let rest = bytes.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let id = rest[..<slash]
        var tail = rest[(slash + 1)...]
        if tail.last == UInt8(ascii: "/") { tail = tail.dropLast() }
        var placement: ArraySlice<UInt8>?
        var type = tail
        if let second = tail.firstIndex(of: UInt8(ascii: "/")) {
            type = tail[..<second]
            placement = tail[(second + 1)...]
        }
        guard !id.isEmpty, !type.isEmpty else { return nil }
        if let placement, placement.isEmpty || placement.contains(UInt8(ascii: "/")) { return nil }
        return (id, type, placement)
    }

    /// What the type segment asks for: a provider's redirect, or the view beacon.
    enum Target {
        case click(ProviderType)
        case view
    }

    static func target(_ request: Request) -> Target? {
        // The placement, when present, has the id's shape: junk never reaches the table.
        if let placement = request.placementBytes, !PublicID.isValid(placement) { return nil }
        if request.typeBytes.elementsEqual(viewSegment) { return .view }
        return ProviderType(utf8: request.typeBytes).map(Target.click)
    }

    /// The answer when it can be given from memory; nil when the id must be looked up first.
    public func outcomeFromMemory(_ request: Request) -> Outcome? {
        // The pattern check comes first: junk never reaches the table or the database.
        guard PublicID.isValid(request.idBytes), let target = Self.target(request) else {
            return notFound()
        }
        switch table.lookup(String(decoding: request.idBytes, as: UTF8.self)) {
        case .found(let entry): return outcome(request, target: target, entry: entry)
        case .knownMissing: return notFound()
        case .unknown: return nil
        }
    }

    /// The full answer: from memory, or after one indexed lookup whose result is cached.
    public func outcome(_ request: Request) async -> Outcome {
        if let outcome = outcomeFromMemory(request) { return outcome }
        guard let target = Self.target(request), let id = PublicID(String(decoding: request.idBytes, as: UTF8.self))
        else { return notFound() }
        switch await resolve(id) {
        case .found(let entry): return outcome(request, target: target, entry: entry)
        case .missing: return notFound()
        case .failed: return .unavailable
        }
    }

    enum Lookup: Sendable {
        case found(LinkTable.Entry)
        case missing
        case failed
    }

    /// Looks an id up in the database (off the caller's thread) and caches the answer either way.
    /// A failed lookup is not an answer: it is not cached (the next request asks again), so a
    /// database blip cannot turn a live event into a remembered 404.
    func resolve(_ id: PublicID) async -> Lookup {
        let database = self.database
        let logger = self.logger
        let table = self.table
        let lookup: Lookup = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let entry = try database.publishableEvent(publicID: id).map(table.entry)
                    continuation.resume(returning: entry.map(Lookup.found) ?? .missing)
                } catch {
                    logger.error("link lookup failed", metadata: ["error": "\(error)"])
                    continuation.resume(returning: .failed)
                }
            }
        }
        switch lookup {
        case .found(let entry): table.set(id.rawValue, entry)
        case .missing: table.set(id.rawValue, nil)
        case .failed: break
        }
        return lookup
    }

    private func outcome(_ request: Request, target: Target, entry: LinkTable.Entry) -> Outcome {
        let timestamp = now().epochSeconds
        switch target {
        case .view:
            metrics.viewsReceived.add(1, ordering: .relaxed)
            countView(request, entry: entry, timestamp: timestamp)
            return .viewed
        case .click(let type):
            guard let location = entry.location(for: type, at: timestamp) else { return notFound() }
            metrics.received.add(1, ordering: .relaxed)
            count(request, type: type, entry: entry, timestamp: timestamp)
            return .redirect(location: location)
        }
    }

    /// The rules both kinds share: no `HEAD`, no bots, at most the limit per visitor and event
    /// a minute. Returns the visitor's address when the request counts.
    private func counts(_ request: Request, eventID: Int64, timestamp: Int64, limiter: ClickRateLimiter) -> (counts: Bool, client: String?) {
        if request.isHead {
            metrics.notCounted(.head)
            return (false, nil)
        }
        if request.automated ?? BotFilter.isAutomated(userAgent: request.userAgent) {
            metrics.notCounted(.bot)
            return (false, nil)
        }
        let client = clientAddress(request)
        if config.limitsClicks, !limiter.allow(client: client ?? "", eventID: eventID, epochSeconds: timestamp) {
            metrics.notCounted(.throttled)
            return (false, nil)
        }
        return (true, client)
    }

    /// The placement key of the path, already checked against the id pattern by `target`.
    static func placementKey(_ request: Request) -> String? {
        request.placementBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    private func countView(_ request: Request, entry: LinkTable.Entry, timestamp: Int64) {
        let verdict = counts(request, eventID: entry.eventID, timestamp: timestamp, limiter: viewLimiter)
        guard verdict.counts else { return }
        // The address and user agent are used here, in memory, and go no further than the hash.
        let view = Impression(
            eventID: entry.eventID, placementID: nil, placementKey: Self.placementKey(request), viewedAt: timestamp,
            visitorHash: hasher.hash(address: verdict.client, userAgent: request.userAgent, eventID: entry.eventID, at: timestamp))
        enqueue(view, into: impressions, kind: "view", depth: metrics.viewQueueDepth, dropped: metrics.viewsDropped)
    }

    private func count(_ request: Request, type: ProviderType, entry: LinkTable.Entry, timestamp: Int64) {
        let verdict = counts(request, eventID: entry.eventID, timestamp: timestamp, limiter: limiter)
        guard verdict.counts else { return }
        let client = verdict.client
        let click = Click(
            eventID: entry.eventID, type: type, clickedAt: timestamp, placementKey: Self.placementKey(request),
            ipAddress: config.storeClientInfo ? client : nil, userAgent: config.storeClientInfo ? request.userAgent : nil)
        enqueue(click, into: queue, kind: "click", depth: metrics.queueDepth, dropped: metrics.dropped)
    }

    /// Queues a counted click or view; a full queue drops it, counted, with a warning per 1,000.
    private func enqueue<Element>(
        _ item: Element, into queue: InteractionQueue<Element>, kind: String, depth: borrowing Atomic<Int>, dropped: borrowing Atomic<Int>
    ) {
        if queue.append(item) {
            depth.add(1, ordering: .relaxed)
            return
        }
        if dropped.add(1, ordering: .relaxed).newValue % 1_000 == 1 {
            logger.warning("\(kind) queue full; dropping \(kind)s", metadata: ["capacity": "\(queue.capacity)"])
        }
    }

    /// The visitor's address: the peer, or the last `X-Forwarded-For` hop when the peer is a trusted proxy.
    func clientAddress(_ request: Request) -> String? {
        ClientAddress.resolve(peer: request.peerAddress, forwardedFor: request.forwardedFor, trustedProxies: config.trustedProxies)
    }

    private func notFound() -> Outcome {
        metrics.notFound.add(1, ordering: .relaxed)
        return .notFound
    }
}
