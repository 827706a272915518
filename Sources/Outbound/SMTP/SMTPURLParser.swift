/// The grammar of `--smtp-url`, kept apart from `SMTPSettings` so the settings type stays a value.
///
/// Problems name the part that is wrong but never echo the user-info section, which holds the password.
enum SMTPURLParser {
    typealias Problem = SMTPSettings.Problem

    static func parse(_ url: String) throws -> SMTPSettings {
        let trimmed = url.trimmingWhitespace
        let implicitTLS: Bool
        let rest: Substring
        if trimmed.lowercased().hasPrefix("smtps://") {
            implicitTLS = true
            rest = trimmed.dropFirst("smtps://".count)
        } else if trimmed.lowercased().hasPrefix("smtp://") {
            implicitTLS = false
            rest = trimmed.dropFirst("smtp://".count)
        } else {
            throw Problem("the SMTP URL must start with smtp:// or smtps://")
        }
        guard !rest.contains("#") else { throw Problem("the SMTP URL must not have a fragment (#…)") }

        let queryStart = rest.firstIndex(of: "?")
        var authorityAndPath = queryStart.map { rest[..<$0] } ?? rest
        let query = queryStart.map { rest[rest.index(after: $0)...] } ?? ""
        if authorityAndPath.hasSuffix("/") { authorityAndPath = authorityAndPath.dropLast() }

        var username: String?
        var password: String?
        var hostPort = authorityAndPath
        if let at = authorityAndPath.lastIndex(of: "@") {
            let userInfo = authorityAndPath[..<at]
            hostPort = authorityAndPath[authorityAndPath.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            let rawUser = colon.map { userInfo[..<$0] } ?? userInfo
            guard let user = percentDecode(rawUser), !user.isEmpty else {
                throw Problem("the user name in the SMTP URL is empty or badly percent-encoded")
            }
            username = user
            if let colon {
                guard let secret = percentDecode(userInfo[userInfo.index(after: colon)...]) else {
                    throw Problem("the password in the SMTP URL is badly percent-encoded")
                }
                password = secret
            }
        }
        guard !hostPort.contains("/") else { throw Problem("the SMTP URL must not have a path") }

        let (host, port) = try hostAndPort(hostPort, defaultPort: implicitTLS ? 465 : 587)
        var settings = SMTPSettings(host: host, port: port, implicitTLS: implicitTLS, username: username, password: password)
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0]
            let value = pair.count == 2 ? percentDecode(pair[1]) : nil
            switch key {
            case "starttls":
                guard !implicitTLS else { throw Problem("starttls= applies to smtp:// only; smtps:// is TLS from the start") }
                guard let value, let mode = SMTPSettings.StartTLS(rawValue: value) else {
                    throw Problem("starttls= in the SMTP URL must be auto or required")
                }
                settings.startTLS = mode
            case "ca":
                guard let value, !value.isEmpty else { throw Problem("ca= in the SMTP URL needs the path of a PEM file") }
                settings.caFile = value
            default:
                throw Problem("unknown option \(key.prefix(40)) in the SMTP URL (known: starttls, ca)")
            }
        }
        return settings
    }

    private static func hostAndPort(_ text: Substring, defaultPort: Int) throws -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Problem("the SMTP URL has an unclosed [ in its host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Problem("the SMTP URL has something after its host that is not a port") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw Problem("the SMTP URL has no host") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            throw Problem("the host in the SMTP URL has characters a host name cannot have")
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isNumber) else {
                throw Problem("the port in the SMTP URL must be a number from 1 to 65535")
            }
            port = value
        }
        return (host.lowercased(), port)
    }

    /// RFC 3986 percent-decoding to UTF-8; nil for a stray `%` or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
