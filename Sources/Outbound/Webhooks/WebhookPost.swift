/// One HTTP POST to make: the dispatcher has already built the JSON body and signed it.
public struct WebhookPost: Sendable {
    public var url: String
    /// Sent as given, after Host, Content-Length and Connection (which the client sets itself).
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(url: String, headers: [(String, String)], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What happened to a webhook POST; never an error, so the dispatcher just records it.
public enum WebhookOutcome: Sendable, Equatable {
    /// The receiver answered 2xx.
    case delivered(status: Int)
    /// Any other status, 3xx included: redirects are never followed.
    case rejected(status: Int)
    /// No status at all: timeout, refused target (SSRF), DNS failure, connection or TLS error.
    /// The reason is short and safe to store and show to the organizer.
    case failed(reason: String)
}
