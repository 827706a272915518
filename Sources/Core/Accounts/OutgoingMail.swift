import Foundation

/// A mail to send, as the outbox stores it until a transport accepts it.
public struct OutgoingMail: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var text: String
    public var html: String

    public init(to: String, subject: String, text: String, html: String) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// A mail the outbox handed to a dispatcher, leased to it until `leaseUntil`.
public struct QueuedMail: Sendable, Equatable {
    public var id: Int64
    public var mail: OutgoingMail
    /// Attempts made before this one.
    public var attempts: Int
    public var createdAt: Date

    public init(id: Int64, mail: OutgoingMail, attempts: Int, createdAt: Date) {
        self.id = id
        self.mail = mail
        self.attempts = attempts
        self.createdAt = createdAt
    }
}
