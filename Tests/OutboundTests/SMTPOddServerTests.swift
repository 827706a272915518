import Foundation
import NIOCore
import Testing
@testable import Outbound

/// Odd servers, played by ScriptedSMTPServer over loopback.
@Suite struct SMTPOddServerTests {
    let message = MailMessage(from: "no-reply@example.com", to: "ana@example.org", subject: "s", text: "t", html: nil)

    static func ordinary(_ line: String) -> String? {
        switch line.uppercased().prefix(4) {
        case "MAIL", "RCPT": "250 ok\r\n"
        case "DATA": "354 go\r\n"
        case ".": "250 queued\r\n"
        case "QUIT": "221 bye\r\n"
        default: nil
        }
    }

    @Test func fallsBackToHELOWhenEHLOIsUnknown() async throws {
        let server = try await ScriptedSMTPServer.start { line in
            if line.hasPrefix("EHLO") { return "502 5.5.1 unknown command\r\n" }
            if line.hasPrefix("HELO") { return "250 hi\r\n" }
            return Self.ordinary(line)
        }
        try await SMTPTransport(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(server.port)"), timeout: .seconds(5)).send(message)
        #expect(server.commands.prefix(2) == ["EHLO attendify", "HELO attendify"])
        #expect(server.commands.contains("."))
        await server.stop()
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await ScriptedSMTPServer.start { _ in nil }
        await #expect(throws: MailDeliveryError.temporary("the SMTP server did not answer in time")) {
            try await SMTPTransport(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(server.port)"), timeout: .milliseconds(500)).send(message)
        }
        await server.stop()
    }

    @Test func repliesInjectedBeforeTLSAreRefused() async throws {
        let server = try await ScriptedSMTPServer.start { line in
            if line.hasPrefix("EHLO") { return "250-scripted\r\n250 STARTTLS\r\n" }
            if line == "STARTTLS" { return "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n" }
            return Self.ordinary(line)
        }
        let failure: MailDeliveryError? = await {
            do {
                try await SMTPTransport(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(server.port)"), timeout: .seconds(5)).send(message)
                return nil
            } catch { return error as? MailDeliveryError }
        }()
        #expect(failure == .temporary("the SMTP server sent data right after agreeing to STARTTLS"))
        #expect(!server.commands.contains { $0.hasPrefix("MAIL") })
        await server.stop()
    }

    /// The machine's own name usually maps to 127.0.0.1 in /etc/hosts without being a loopback
    /// *name*: the dialog must then stop before AUTH, as it would for a remote server without TLS.
    @Test func noAuthInPlainTextToANonLoopbackName() async throws {
        let host = ProcessInfo.processInfo.hostName.lowercased()
        guard !SMTPAuthPolicy.isLoopback(host),
              let addresses = try? Resolver.lookUp(host, port: 25), addresses.allSatisfy({ $0.ipAddress == "127.0.0.1" })
        else { return }  // no such name on this machine; SMTPAuthPolicy's own test covers the rule
        let server = try await ScriptedSMTPServer.start { line in
            if line.hasPrefix("EHLO") { return "250-scripted\r\n250 AUTH PLAIN LOGIN\r\n" }
            return Self.ordinary(line)
        }
        let failure: MailDeliveryError? = await {
            do {
                try await SMTPTransport(settings: try SMTPSettings(url: "smtp://user:pw@\(host):\(server.port)"), timeout: .seconds(5)).send(message)
                return nil
            } catch { return error as? MailDeliveryError }
        }()
        #expect(failure?.description.contains("refusing to send AUTH") == true, "\(String(describing: failure))")
        #expect(!server.commands.contains { $0.uppercased().hasPrefix("AUTH") || $0.hasPrefix("MAIL") })
        await server.stop()
    }
}
