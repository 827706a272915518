import Core
import Foundation

/// Settings of the organizer API, as one plain value the CLI and tests build.
public struct APIConfig: Sendable {
    /// Origin of the site (embed codes, widget and `.ics` URLs, and the default allowed CORS origin).
    public var publicURL: URL
    /// Browser origins allowed to call `/api` with credentials (CORS and the CSRF check).
    public var allowedOrigins: Set<String>
    /// Largest request body accepted; larger ones get 413.
    public var maximumBodyBytes = 64 * 1024
    /// How long a login lasts.
    public var sessionLifetime: TimeInterval = 30 * 86_400
    /// bcrypt work factor (2^cost rounds). 12 costs ~0.27 s of CPU here.
    public var bcryptCost: UInt8 = 12
    /// Password checks (bcrypt) running or waiting at once; more are answered 503 at once. Not a
    /// rate limit but a bound on queued CPU work, so it stays on with `--rate-limits off`.
    public var maximumPendingPasswordChecks = max(4, ProcessInfo.processInfo.activeProcessorCount * 4)
    /// The blueprint's global switch; false turns every limiter off.
    public var rateLimitsEnabled = true
    /// Failed logins allowed per e-mail, and per client address, in `loginWindow`.
    public var loginFailuresPerEmail = 5
    public var loginFailuresPerClient = 20
    public var loginWindow: TimeInterval = 15 * 60
    /// Registrations allowed per client address in `registrationWindow`.
    public var registrationsPerClient = 10
    public var registrationWindow: TimeInterval = 3_600
    /// Wrong passwords allowed per account in `loginWindow` when confirming a change
    /// (password, e-mail, deletion): a stolen session cannot guess its way to the password.
    public var reauthenticationFailuresPerUser = 5
    /// Reset mails per address and per client in `passwordResetWindow`: nobody can flood an inbox.
    public var passwordResetsPerEmail = 3
    public var passwordResetsPerClient = 20
    public var passwordResetWindow: TimeInterval = 3_600
    /// Personal API tokens and webhooks an organizer may have.
    public var maximumTokensPerUser = 50
    public var maximumWebhooksPerUser = 20
    /// Webhooks may target loopback and private addresses (and plain http): an operator's
    /// choice for receivers on their own network, and for tests.
    public var webhooksAllowPrivate = false
    /// Rung after queueing mail or deliveries, so this process's dispatchers send at once.
    public var outboxSignals = OutboxSignals()
    /// Proxies whose `X-Forwarded-For` names the real client (the Nginx in front).
    public var trustedProxies: Set<String> = []

    public init(publicURL: URL, allowedOrigins: Set<String> = []) {
        self.publicURL = publicURL
        self.allowedOrigins = allowedOrigins.union([Self.origin(of: publicURL)])
    }

    /// `scheme://host[:port]` of a URL: the form browsers send in `Origin`.
    public static func origin(of url: URL) -> String {
        var origin = "\(url.scheme ?? "http")://\(url.host ?? "localhost")"
        if let port = url.port { origin += ":\(port)" }
        return origin
    }

    /// The public URL without a trailing slash, for building absolute links.
    public var publicBase: String {
        let text = publicURL.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Cookies get `Secure` when the site is served over HTTPS.
    public var secureCookies: Bool { publicURL.scheme?.lowercased() == "https" }
}
