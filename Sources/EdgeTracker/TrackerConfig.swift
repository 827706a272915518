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

    public init() {}

    /// Whether clicks beyond a per-client rate are left uncounted.
    var limitsClicks: Bool { rateLimitsEnabled && clickLimitPerMinute > 0 }
}
