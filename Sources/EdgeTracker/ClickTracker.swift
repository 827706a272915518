import Core
import Foundation
import Logging

/// Decides what a `/track/{public_id}/{type}` request gets, and queues the click when it counts.
/// Transport-free: the bare NIO server (`attendify track`) and the Hummingbird route
/// (`attendify serve`) both call it.
public final class ClickTracker: Sendable {
    /// A track request, reduced to what the decision needs.
    public struct Request: Sendable {
        public var isHead: Bool
        /// The path after `/track/`, e.g. `AbCd.../google` (query already removed).
        public var idBytes: ArraySlice<UInt8>
        public var typeBytes: ArraySlice<UInt8>
        public var userAgent: String?
        /// The TCP peer's address.
        public var peerAddress: String?
        public var forwardedFor: String?
        /// `BotFilter`'s verdict on `userAgent`, when the caller already knows it (a connection
        /// sends the same user agent with every request, so the server checks it once).
        public var automated: Bool?

        public init(
            isHead: Bool, idBytes: ArraySlice<UInt8>, typeBytes: ArraySlice<UInt8>, userAgent: String?, peerAddress: String?,
            forwardedFor: String?, automated: Bool? = nil
        ) {
            self.isHead = isHead
            self.idBytes = idBytes
            self.typeBytes = typeBytes
            self.userAgent = userAgent
            self.peerAddress = peerAddress
            self.forwardedFor = forwardedFor
            self.automated = automated
        }
    }

    public enum Outcome: Sendable, Equatable {
        case redirect(location: String)
        case notFound
        /// The id is not in memory and the database cannot be asked right now (503, Retry-After):
        /// saying 404 would tell the visitor a live event does not exist.
        case unavailable
    }

    let table: LinkTable
    let queue: ClickQueue
    let database: any DataStore
    let config: TrackerConfig
    public let metrics: TrackerMetrics
    let limiter: ClickRateLimiter
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        database: any DataStore, config: TrackerConfig, table: LinkTable, queue: ClickQueue, metrics: TrackerMetrics,
        logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.config = config
        self.table = table
        self.queue = queue
        self.metrics = metrics
        self.limiter = ClickRateLimiter(limitPerMinute: config.clickLimitPerMinute)
        self.logger = logger
        self.now = now
    }

    private static let trackPrefix = Array("/track/".utf8)

    /// Splits `/track/{id}/{type}[?query]` into its two segments; nil for any other shape
    /// (extra segments, `..`, empty parts, overlong paths).
    public static func split(path: some Collection<UInt8>) -> (id: ArraySlice<UInt8>, type: ArraySlice<UInt8>)? {
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
        var type = rest[(slash + 1)...]
        if type.last == UInt8(ascii: "/") { type = type.dropLast() }
        guard !id.isEmpty, !type.isEmpty, !type.contains(UInt8(ascii: "/")) else { return nil }
        return (id, type)
    }

    /// The answer when it can be given from memory; nil when the id must be looked up first.
    public func outcomeFromMemory(_ request: Request) -> Outcome? {
        // The pattern check comes first: junk never reaches the table or the database.
        guard PublicID.isValid(request.idBytes), let type = ProviderType(utf8: request.typeBytes) else {
            return notFound()
        }
        switch table.lookup(String(decoding: request.idBytes, as: UTF8.self)) {
        case .found(let entry): return outcome(request, type: type, entry: entry)
        case .knownMissing: return notFound()
        case .unknown: return nil
        }
    }

    /// The full answer: from memory, or after one indexed lookup whose result is cached.
    public func outcome(_ request: Request) async -> Outcome {
        if let outcome = outcomeFromMemory(request) { return outcome }
        guard let type = ProviderType(utf8: request.typeBytes), let id = PublicID(String(decoding: request.idBytes, as: UTF8.self))
        else { return notFound() }
        switch await resolve(id) {
        case .found(let entry): return outcome(request, type: type, entry: entry)
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

    private func outcome(_ request: Request, type: ProviderType, entry: LinkTable.Entry) -> Outcome {
        let timestamp = now().epochSeconds
        guard let location = entry.location(for: type, at: timestamp) else { return notFound() }
        metrics.received.add(1, ordering: .relaxed)
        count(request, type: type, eventID: entry.eventID, timestamp: timestamp)
        return .redirect(location: location)
    }

    private func count(_ request: Request, type: ProviderType, eventID: Int64, timestamp: Int64) {
        if request.isHead {
            metrics.notCounted(.head)
            return
        }
        if request.automated ?? BotFilter.isAutomated(userAgent: request.userAgent) {
            metrics.notCounted(.bot)
            return
        }
        let client = clientAddress(request)
        if config.limitsClicks, !limiter.allow(client: client ?? "", eventID: eventID, epochSeconds: timestamp) {
            metrics.notCounted(.throttled)
            return
        }
        let click = Click(
            eventID: eventID, type: type, clickedAt: timestamp,
            ipAddress: config.storeClientInfo ? client : nil, userAgent: config.storeClientInfo ? request.userAgent : nil)
        if queue.append(click) {
            metrics.queueDepth.add(1, ordering: .relaxed)
        } else {
            metrics.dropped.add(1, ordering: .relaxed)
            if metrics.dropped.load(ordering: .relaxed) % 1_000 == 1 {
                logger.warning("click queue full; dropping clicks", metadata: ["capacity": "\(queue.capacity)"])
            }
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
