import Foundation

/// The command sequence of one submission: greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT.
///
/// Reply codes decide the error kind: 4xx is temporary; 5xx to MAIL, RCPT, DATA or AUTH is
/// permanent (the server will not take this mail or these credentials); 5xx to EHLO falls back to
/// HELO; anything unexpected before MAIL (greeting, STARTTLS) is treated as temporary because it
/// is the server's or the operator's to fix, not the message's.
struct SMTPDialog {
    let connection: SMTPConnection
    let transport: SMTPTransport

    private var settings: SMTPSettings { transport.settings }

    func run(from: String, to: String, data: [UInt8]) async throws {
        let greeting = try await connection.read()
        guard greeting.code == 220 else { throw failure(greeting, "the greeting", permanentOn5xx: false) }

        var extensions = try await hello()
        var encrypted = settings.implicitTLS
        if !encrypted {
            if extensions["STARTTLS"] != nil {
                let reply = try await connection.command("STARTTLS")
                guard reply.code == 220 else { throw failure(reply, "STARTTLS", permanentOn5xx: false) }
                try await connection.startTLS(context: transport.tls(), serverHostname: transport.serverHostname)
                encrypted = true
                extensions = try await hello()  // RFC 3207 §4.2: forget what was said in plain text
            } else if settings.startTLS == .required {
                throw MailDeliveryError.temporary("the SMTP server does not offer STARTTLS (starttls=required)")
            }
        }

        if let username = settings.username {
            guard SMTPAuthPolicy.mayAuthenticate(encrypted: encrypted, host: settings.host) else {
                throw MailDeliveryError.temporary(
                    "refusing to send AUTH over an unencrypted connection (the server offers no STARTTLS and is not on loopback)")
            }
            try await authenticate(username: username, password: settings.password ?? "", offered: extensions["AUTH"] ?? [])
        }

        try await expect(250, to: "MAIL FROM:<\(from)>", stage: "MAIL FROM")
        try await expect(250, 251, to: "RCPT TO:<\(to)>", stage: "RCPT TO")
        try await expect(354, to: "DATA", stage: "DATA")
        connection.write(data)
        let accepted = try await connection.read()
        guard accepted.code == 250 else { throw failure(accepted, "the end of DATA") }
        _ = try? await connection.command("QUIT")
    }

    /// EHLO, or HELO when the server does not know EHLO; returns the advertised extensions.
    private func hello() async throws -> [String: [String]] {
        let reply = try await connection.command("EHLO \(transport.heloName)")
        if reply.code == 250 { return reply.extensions }
        guard (500..<600).contains(reply.code) else { throw failure(reply, "EHLO", permanentOn5xx: false) }
        let helo = try await connection.command("HELO \(transport.heloName)")
        guard helo.code == 250 else { throw failure(helo, "HELO", permanentOn5xx: false) }
        return [:]
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN. Credentials travel base64-encoded, as the
    /// mechanisms require; neither appears in any error text.
    private func authenticate(username: String, password: String, offered: [String]) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if offered.contains("PLAIN") {
            try await expect(235, to: "AUTH PLAIN " + base64("\0\(username)\0\(password)"), stage: "AUTH")
        } else if offered.contains("LOGIN") {
            try await expect(334, to: "AUTH LOGIN", stage: "AUTH")
            try await expect(334, to: base64(username), stage: "AUTH")
            try await expect(235, to: base64(password), stage: "AUTH")
        } else {
            throw MailDeliveryError.temporary("the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    private func expect(_ codes: Int..., to command: String, stage: String) async throws {
        let reply = try await connection.command(command)
        guard codes.contains(reply.code) else { throw failure(reply, stage) }
    }

    private func failure(_ reply: SMTPReply, _ stage: String, permanentOn5xx: Bool = true) -> MailDeliveryError {
        let text = "\(stage) answered \(reply.code) \(reply.safeText)".trimmingWhitespace
        return permanentOn5xx && (500..<600).contains(reply.code) ? .permanent(text) : .temporary(text)
    }
}
