import Foundation
import Testing
@testable import Outbound

/// SMTPTransport against a real server (aiosmtpd, Tests/pysupport/smtp_sink.py) over loopback.
@Suite struct SMTPTransportTests {
    let message = MailMessage(
        from: "Attendify <no-reply@example.com>", to: "ana@example.org", subject: "Confirmez votre adresse — ça marche ✓",
        text: "Bonjour\n.\n..dots\nhttps://example.com/?token=abc#/confirm-email\n", html: "<p>Bonjour <a href=\"https://example.com/\">ici</a></p>")

    func transport(_ url: String, passwordFile: String? = nil) throws -> SMTPTransport {
        SMTPTransport(settings: try SMTPSettings(url: url, passwordFile: passwordFile), timeout: .seconds(10))
    }

    func error(_ body: () async throws -> Void) async -> MailDeliveryError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? MailDeliveryError
        }
    }

    /// The received mail parses, carries the envelope and decodes to what was sent.
    func checkDelivered(_ received: SMTPSink.Received) async throws {
        #expect(received.mailFrom == "no-reply@example.com")
        #expect(received.rcptTos == ["ana@example.org"])
        let mail = try await ParsedMail.parse(file: received.file)
        #expect(mail.defects.isEmpty)
        #expect(mail.header("Subject") == [message.subject])
        #expect(mail.header("From") == ["Attendify <no-reply@example.com>"])
        #expect(mail.header("To") == ["ana@example.org"])
        #expect(mail.header("Auto-Submitted") == ["auto-generated"])
        #expect(mail.header("Message-ID").first?.hasSuffix("@example.com>") == true)
        #expect(mail.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(mail.parts.first?.text == message.text, "a lone '.' line survives dot-stuffing")
        #expect(mail.parts.last?.text == message.html)
    }

    @Test func plainDelivery() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        try await transport("smtp://127.0.0.1:\(sink.port)").send(message)
        let received = try sink.received()
        #expect(received.count == 1)
        #expect(received.first?.tls == false)
        try await checkDelivered(try #require(received.first))
    }

    @Test func startTLSWithTheTestCA() async throws {
        let sink = try await SMTPSink(["--tls", "starttls"])
        defer { sink.stop() }
        try await transport("smtp://localhost:\(sink.port)?starttls=required&ca=\(sink.caFile)").send(message)
        let received = try sink.received()
        #expect(received.first?.tls == true)
        try await checkDelivered(try #require(received.first))
    }

    @Test func startTLSWithAnUntrustedCertificateIsTemporary() async throws {
        let sink = try await SMTPSink(["--tls", "starttls"])
        defer { sink.stop() }
        let failure = await error { try await transport("smtp://localhost:\(sink.port)").send(message) }
        #expect(failure?.isTemporary == true)
        #expect(failure?.description.contains("TLS") == true, "\(String(describing: failure))")
        #expect(try sink.received().isEmpty)
    }

    @Test func implicitTLS() async throws {
        let sink = try await SMTPSink(["--tls", "implicit", "--user", "mailer", "--password", "s3cr:t pass"])
        defer { sink.stop() }
        try await transport("smtps://mailer:s3cr%3At%20pass@127.0.0.1:\(sink.port)?ca=\(sink.caFile)").send(message)
        let received = try sink.received()
        #expect(received.first?.tls == true)
        #expect(received.first?.authenticated == true)
        try await checkDelivered(try #require(received.first))
    }

    @Test func authOverStartTLS() async throws {
        let sink = try await SMTPSink(["--tls", "starttls", "--user", "mailer", "--password", "right"])
        defer { sink.stop() }
        let folder = try TestFolder()
        try "right\n".write(toFile: folder.file("pw"), atomically: true, encoding: .utf8)
        try await transport("smtp://mailer:wrong@localhost:\(sink.port)?ca=\(sink.caFile)", passwordFile: folder.file("pw")).send(message)
        #expect(try sink.received().first?.authenticated == true)
    }

    @Test func wrongPasswordIsPermanentAndNotEchoed() async throws {
        let sink = try await SMTPSink(["--tls", "starttls", "--user", "mailer", "--password", "right"])
        defer { sink.stop() }
        let failure = await error { try await transport("smtp://mailer:hunter2@localhost:\(sink.port)?ca=\(sink.caFile)").send(message) }
        guard case .permanent(let text) = failure else { Issue.record("expected permanent, got \(String(describing: failure))"); return }
        #expect(text.contains("AUTH") && text.contains("535"))
        #expect(!text.contains("hunter2") && !text.contains(Data("\0mailer\0hunter2".utf8).base64EncodedString()))
        #expect(try sink.received().isEmpty)
    }

    @Test func authLoginWhenPlainIsNotOffered() async throws {
        let sink = try await SMTPSink(["--user", "mailer", "--password", "pw", "--auth-over-plain", "--auth-only-login"])
        defer { sink.stop() }
        try await transport("smtp://mailer:pw@127.0.0.1:\(sink.port)").send(message)
        #expect(try sink.received().first?.authenticated == true, "plain text AUTH is allowed to loopback")
    }

    @Test func tempFailureOnRecipientIsTemporaryThenSucceeds() async throws {
        let sink = try await SMTPSink(["--tempfail-rcpt", "1"])
        defer { sink.stop() }
        let smtp = try transport("smtp://127.0.0.1:\(sink.port)")
        let failure = await error { try await smtp.send(message) }
        guard case .temporary(let text) = failure else { Issue.record("expected temporary, got \(String(describing: failure))"); return }
        #expect(text.contains("451"))
        #expect(!text.contains("ana@example.org"))
        try await smtp.send(message)
        #expect(try sink.received().count == 1)
    }

    @Test func rejectedRecipientIsPermanent() async throws {
        let sink = try await SMTPSink(["--reject-rcpt"])
        defer { sink.stop() }
        let failure = await error { try await transport("smtp://127.0.0.1:\(sink.port)").send(message) }
        guard case .permanent(let text) = failure else { Issue.record("expected permanent, got \(String(describing: failure))"); return }
        #expect(text.contains("RCPT") && text.contains("550"))
    }

    @Test func connectionRefusedIsTemporary() async throws {
        let failure = await error { try await transport("smtp://127.0.0.1:\(try closedLoopbackPort())").send(message) }
        guard case .temporary(let text) = failure else { Issue.record("expected temporary, got \(String(describing: failure))"); return }
        #expect(text.contains("connection refused"))
    }

    @Test func startTLSRequiredButNotOffered() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let failure = await error { try await transport("smtp://127.0.0.1:\(sink.port)?starttls=required").send(message) }
        #expect(failure?.description.contains("STARTTLS") == true, "\(String(describing: failure))")
        #expect(try sink.received().isEmpty)
    }

    @Test func invalidAddressesArePermanentWithoutConnecting() async throws {
        var bad = message
        bad.to = "not an address"
        let failure = await error { try await transport("smtp://127.0.0.1:\(try closedLoopbackPort())").send(bad) }
        #expect(failure == .permanent("invalid recipient address"))
    }

    @Test func authIsNeverSentInPlainTextToOtherHosts() {
        #expect(SMTPAuthPolicy.mayAuthenticate(encrypted: true, host: "mail.example.com"))
        #expect(!SMTPAuthPolicy.mayAuthenticate(encrypted: false, host: "mail.example.com"))
        #expect(!SMTPAuthPolicy.mayAuthenticate(encrypted: false, host: "10.0.0.5"))
        #expect(!SMTPAuthPolicy.mayAuthenticate(encrypted: false, host: "localhost.example.com"))
        for host in ["localhost", "LOCALHOST.", "mail.localhost", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(SMTPAuthPolicy.mayAuthenticate(encrypted: false, host: host), "\(host)")
        }
    }
}
