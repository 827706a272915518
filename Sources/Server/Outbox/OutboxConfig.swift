import Foundation
import Outbound

/// How the servers send what the outboxes hold: mail through SMTP or into a drop folder, and
/// webhook deliveries, each with its retry schedule.
public struct OutboxConfig: Sendable {
    public enum MailRoute: Sendable {
        /// The embedded default: one `.eml` file per mail, so a laptop needs no mail server.
        case folder(String)
        case smtp(SMTPSettings)
    }

    public var mail: MailRoute = .folder("./data/mail")
    /// `From:` of every mail; nil derives `Attendify <no-reply@host>` from the public URL.
    public var mailFrom: String?
    /// First retry delay of a mail; each further one doubles, up to `mailRetryCap`.
    public var mailRetryBase: TimeInterval = 5
    public var mailRetryCap: TimeInterval = 300
    /// A mail still not accepted after this long is given up (and logged).
    public var mailGiveUpAfter: TimeInterval = 3 * 86_400
    /// Attempts a mail gets when the server refuses it for good (5xx): an operator may be fixing
    /// a credential, so a few more, but not for days.
    public var mailPermanentFailureAttempts = 5

    public var webhookTimeout: TimeInterval = 10
    public var webhookRetryBase: TimeInterval = 10
    public var webhookRetryCap: TimeInterval = 3_600
    public var webhookMaximumAttempts = 12
    /// Deliveries in flight at once (to different events or webhooks; one event's go in order).
    public var webhookConcurrency = 4
    /// Loopback, private and link-local targets (and plain http) allowed: the operator's choice.
    public var webhooksAllowPrivate = false

    /// How often the dispatchers look for due work besides their wake-ups: retries falling due,
    /// and rows queued by other processes (another node, the tracker's milestones).
    public var pollInterval: Duration = .seconds(1)

    public init() {}

    /// The delay before attempt `attempts + 1`, doubling from `base` up to `cap`.
    static func backoff(attempts: Int, base: TimeInterval, cap: TimeInterval) -> TimeInterval {
        min(cap, base * pow(2, Double(min(attempts, 30))))
    }

    /// `Attendify <no-reply@example.com>` for the site's host (`localhost` for an address).
    static func defaultFrom(publicURL: URL) -> String {
        let host = publicURL.host ?? "localhost"
        let isName = host.contains(where: \.isLetter) && !host.contains(":")
        return "Attendify <no-reply@\(isName ? host : "localhost")>"
    }
}
