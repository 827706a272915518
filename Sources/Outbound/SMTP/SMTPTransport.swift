import NIOCore
import NIOPosix

/// Delivers mail to an SMTP server (submission with STARTTLS, or smtps).
public final class SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    let heloName: String
    let timeout: Duration
    let group: any EventLoopGroup

    public init(
        settings: SMTPSettings, heloName: String = "attendify", timeout: Duration = .seconds(30),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.settings = settings
        self.heloName = heloName
        self.timeout = timeout
        self.group = group
    }

    public func send(_ message: MailMessage) async throws {
        throw MailDeliveryError.temporary("SMTP is not implemented yet")
    }
}
