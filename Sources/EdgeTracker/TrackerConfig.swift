import Foundation

/// How the tracker counts, filters and stores clicks. Plain values; the CLI fills them from flags.
public struct TrackerConfig: Sendable {
    /// Counted clicks per client per event per minute; more are redirected but not counted. 0 = no limit.
    public var clickLimitPerMinute: Int = 10
    /// The blueprint's global switch: false turns every limiter off (load tests, test suites).
    public var rateLimitsEnabled: Bool = true
    /// Store IP address and user agent with each click. Off unless an operator has a legal basis.
    public var storeClientInfo: Bool = false
    /// Peers whose `X-Forwarded-For` is believed (the Nginx in front). Everyone else's is ignored.
    public var trustedProxies: Set<String> = []
    /// The writer commits at least this often...
    public var flushInterval: Duration = .milliseconds(100)
    /// ...or as soon as this many clicks wait.
    public var flushBatchSize: Int = 1_000
    /// Clicks waiting beyond this are dropped (and counted as dropped), never a crash.
    public var queueCapacity: Int = 100_000
    /// How often the link table looks for changes made by the API (possibly in another process).
    public var refreshInterval: Duration = .milliseconds(250)
    /// How long an unknown but well-formed id is remembered as unknown.
    public var negativeCacheTTL: Duration = .seconds(1)
    /// The public origin (no trailing slash) the subscribe redirects point at: feeds are static
    /// files on the public site, and `webcal://` needs an absolute URL.
    public var publicBase: String = TrackerConfig.defaultPublicBase
    public static let defaultPublicBase = "http://127.0.0.1:8080"

    // Defences of the bare NIO server (`attendify track`); `attendify serve` answers /track through
    // Hummingbird and does not use them.

    /// A connection that has not completed a request head this long after it opened or after its
    /// last answer is closed: idle keep-alive connections, and slow-header (slowloris) clients.
    public var requestTimeout: Duration = .seconds(10)
    /// Open connections beyond this are closed at once (and it never exceeds what the process's
    /// open-file limit leaves room for).
    public var maxConnections: Int = 4_096
    /// Request line plus header fields beyond this many bytes are answered 431 and the connection closed.
    public var maxHeaderBytes: Int = 16 * 1_024
    /// More header fields than this are answered 431 too.
    public var maxHeaderFields: Int = 100
    /// Requests queued on one connection behind a database lookup before it stops reading.
    public var maxWaitingRequests: Int = 64

    public init() {}

    /// Whether clicks beyond a per-client rate are left uncounted.
    var limitsClicks: Bool { rateLimitsEnabled && clickLimitPerMinute > 0 }
}
