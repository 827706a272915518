/// Why a mail did not go out, split the way the dispatcher needs it: retry later or give up.
///
/// - `temporary`: retry later (4xx replies, connection refused/reset, timeouts, TLS failures,
///   configuration the operator can still fix).
/// - `permanent`: the server refused this mail for good (5xx to MAIL/RCPT/DATA/AUTH) or an
///   address is unusable.
///
/// The text is meant for logs, so it never contains addresses, bodies or passwords; server replies
/// are quoted only after `SMTPReply.safeText` has blanked anything that looks like an address.
public enum MailDeliveryError: Error, Sendable, CustomStringConvertible, Equatable {
    case temporary(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "temporary mail failure: \(reason)"
        case .permanent(let reason): "permanent mail failure: \(reason)"
        }
    }

    /// Whether the dispatcher should try again later.
    public var isTemporary: Bool {
        if case .temporary = self { return true }
        return false
    }
}
