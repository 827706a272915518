/// One mail as the dispatchers hand it over: already localized, already addressed.
///
/// Plain strings on purpose: this module knows nothing of users or templates, and every transport
/// (SMTP, the drop folder) renders the same value through `MIMEMessage`.
public struct MailMessage: Sendable, Equatable {
    /// `"Attendify <no-reply@example.com>"` or a bare address.
    public var from: String
    /// A bare address.
    public var to: String
    public var subject: String
    public var text: String
    /// When present the mail is multipart/alternative (text first, then this).
    public var html: String?

    public init(from: String, to: String, subject: String, text: String, html: String?) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Something that can deliver a `MailMessage`; the mail dispatcher retries on `.temporary` errors.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}
