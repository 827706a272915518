import Foundation

/// Where and how to submit mail, parsed from the operator's `--smtp-url`.
///
/// `smtp://[user[:password]@]host[:port][?starttls=auto|required&ca=/path.pem]` or `smtps://…`.
/// A URL keeps the whole setup in one flag or environment variable; the password may instead
/// come from a file so it stays out of process listings and shell history.
public struct SMTPSettings: Sendable, Equatable {
    /// What to do about STARTTLS on an `smtp://` connection.
    public enum StartTLS: String, Sendable, Equatable {
        /// Upgrade whenever the server offers it, else continue in plain text (AUTH then only to loopback).
        case auto
        /// Refuse to send through a server that does not offer STARTTLS.
        case required
    }

    /// Why a URL or password file was not accepted; readable, and never repeats the password.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public var host: String
    public var port: Int
    /// smtps: TLS from the first byte (port 465 by default).
    public var implicitTLS: Bool
    public var startTLS: StartTLS
    public var username: String?
    public var password: String?
    /// PEM file of trust roots to use instead of the system's (for a private CA or a test server).
    public var caFile: String?

    public init(
        host: String, port: Int, implicitTLS: Bool = false, startTLS: StartTLS = .auto,
        username: String? = nil, password: String? = nil, caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.implicitTLS = implicitTLS
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.caFile = caFile
    }

    /// Parses the URL; `passwordFile`, when given, replaces the URL's password with the file's
    /// content (one trailing line break removed). The default port is 587 (submission, RFC 6409)
    /// for smtp:// and 465 for smtps://.
    public init(url: String, passwordFile: String? = nil) throws {
        self = try SMTPURLParser.parse(url)
        if let passwordFile {
            guard username != nil else { throw Problem("a password file needs a user name in the SMTP URL") }
            guard let data = FileManager.default.contents(atPath: passwordFile), var text = String(data: data, encoding: .utf8) else {
                throw Problem("cannot read the SMTP password file \(passwordFile)")
            }
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            password = text
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw Problem("cannot read the CA file \(caFile) named by ca= in the SMTP URL")
        }
    }

    /// `smtp://user@host:587`: the URL without password or options, for logs and status pages.
    public var displayName: String {
        let user = username.map { "\($0)@" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(implicitTLS ? "smtps" : "smtp")://\(user)\(hostPart):\(port)"
    }
}
