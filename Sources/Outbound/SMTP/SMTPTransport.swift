import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Delivers mail to an SMTP server: submission with STARTTLS, or smtps (implicit TLS).
///
/// One connection per mail, closed with QUIT: the queue sends little mail, and a fresh
/// connection never inherits a half-broken state. Failures come out as `MailDeliveryError` so
/// the dispatcher knows whether to retry; their text is safe to log.
public final class SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    let heloName: String
    let timeout: TimeAmount
    let group: any EventLoopGroup
    /// Built once: loading the trust roots is the expensive part of a TLS client.
    private let tlsContext: Result<NIOSSLContext, MailDeliveryError>

    public init(
        settings: SMTPSettings, heloName: String = "attendify", timeout: Duration = .seconds(30),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.settings = settings
        self.heloName = HeaderText.singleLine(heloName).replacingOccurrences(of: " ", with: "-")
        self.timeout = TimeAmount(timeout)
        self.group = group
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
        tlsContext = Result { try NIOSSLContext(configuration: configuration) }
            .mapError { _ in MailDeliveryError.temporary("could not load the TLS trust roots (ca= file or system store)") }
    }

    public func send(_ message: MailMessage) async throws {
        let from = Mailbox(parsing: message.from)
        let to = Mailbox(parsing: message.to)
        guard from.isValid else { throw MailDeliveryError.permanent("invalid sender address") }
        guard to.isValid else { throw MailDeliveryError.permanent("invalid recipient address") }
        let data = DotStuffing.encode(MIMEMessage.render(message, date: Date(), messageID: MessageID.make(for: message)))

        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: settings.host, port: settings.port,
                tls: settings.implicitTLS ? (try tlsContext.get(), serverHostname) : nil,
                timeout: timeout, group: group)
        } catch let error as MailDeliveryError {
            throw error
        } catch {
            throw MailDeliveryError.temporary("could not connect to the SMTP server: \(NetworkErrorText.describe(error))")
        }
        do {
            try await SMTPDialog(connection: connection, transport: self).run(from: from.address, to: to.address, data: data)
            await connection.close()
        } catch {
            await connection.close()
            throw Self.deliveryError(error)
        }
    }

    private static func deliveryError(_ error: any Error) -> MailDeliveryError {
        switch error {
        case let error as MailDeliveryError: error
        case let error as SMTPConnectionError: .temporary(error.description)
        default: .temporary(NetworkErrorText.describe(error))
        }
    }

    /// The name for SNI and certificate checks; nil for IP literals, which NIOSSL then checks
    /// against the certificate's IP addresses (SNI may not carry an IP).
    var serverHostname: String? {
        IPLiteral.parse(settings.host) == nil ? settings.host : nil
    }

    func tls() throws -> NIOSSLContext { try tlsContext.get() }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
