import NIOHTTP1

/// What the public tracker port defends itself with at the connection level: a cap on open
/// connections (counted in `metrics`) and bounded request heads. The request timeout and the
/// back-pressure live in `TrackHTTPHandler`, which sees requests and answers.
struct ConnectionDefences: Sendable {
    var maxConnections: Int
    var maxHeaderBytes: Int
    var maxHeaderFields: Int
    var metrics: TrackerMetrics

    init(config: TrackerConfig, metrics: TrackerMetrics) {
        self.maxConnections = config.maxConnections
        self.maxHeaderBytes = config.maxHeaderBytes
        self.maxHeaderFields = config.maxHeaderFields
        self.metrics = metrics
    }

    /// NIO's decoder counts the request target plus every header name and value against these
    /// limits as the bytes arrive, so a connection never buffers more than about one bound of head
    /// (llhttp's default is 80 KiB, too much times thousands of connections); going over is
    /// `HTTPParserError.headerOverflow`, which the handler answers with 431.
    var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = maxHeaderBytes
        limits.maxHeaderFieldSize = maxHeaderBytes
        limits.maxHeaderFieldCount = maxHeaderFields
        return limits
    }
}

/// Why a connection beyond the cap was closed at once.
struct ConnectionCapReached: Error {}
