/// A webhook URL taken apart by one strict parser, used both at registration and at delivery.
///
/// Deliberately narrower than WHATWG or Foundation: anything two URL parsers might read
/// differently (backslashes, percent-encoded or non-ASCII hosts, empty ports, user info) is
/// refused, so the host we check is the host we connect to.
struct WebhookURL: Equatable {
    var isHTTPS: Bool
    /// Lowercased, no brackets, no trailing dot.
    var host: String
    /// The address when the host is an IP literal (any IPv4 form, or bracketed IPv6).
    var literal: [UInt8]?
    var port: Int
    /// Path and query, at least "/".
    var target: String
    /// The Host header: host as written (brackets kept) plus a non-default port.
    var hostHeader: String

    static let maxLength = 2048

    enum Problem: String, Error {
        case notHTTP = "must be an absolute http(s) URL with a host"
        case tooLong = "must be at most 2048 characters"
        case fragment = "must not have a fragment"
        case userInfo = "must not contain a user name or password"
    }

    static func parse(_ url: String) throws(Problem) -> WebhookURL {
        guard url.utf8.count <= maxLength else { throw .tooLong }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !url.contains("\\") else { throw .notHTTP }
        guard let schemeEnd = url.range(of: "://") else { throw .notHTTP }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .notHTTP }
        guard !url.contains("#") else { throw .fragment }

        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { throw .userInfo }

        let hostText: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .notHTTP }
            hostText = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .notHTTP }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostText = authority
        }

        let isHTTPS = scheme == "https"
        var port = isHTTPS ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value) else { throw .notHTTP }
            port = value
        }

        var host = hostText.lowercased()
        let literal: [UInt8]?
        if host.hasPrefix("[") {
            guard let bytes = IPLiteral.parseIPv6(String(host.dropFirst().dropLast())) else { throw .notHTTP }
            literal = bytes
            host = String(host.dropFirst().dropLast())
        } else {
            guard isHostName(host) else { throw .notHTTP }
            if IPLiteral.looksLikeIPv4(host) {
                guard let bytes = IPLiteral.parseIPv4(host) else { throw .notHTTP }
                literal = bytes
            } else {
                literal = nil
            }
            if host.hasSuffix(".") { host.removeLast() }
        }

        let defaultPort = port == (isHTTPS ? 443 : 80)
        let headerHost = hostText.lowercased()
        return WebhookURL(
            isHTTPS: isHTTPS, host: host, literal: literal, port: port, target: target,
            hostHeader: defaultPort ? headerHost : "\(headerHost):\(port)")
    }

    /// `localhost` and `*.localhost` always mean this machine (RFC 6761), whatever DNS says.
    var isLocalhostName: Bool { host == "localhost" || host.hasSuffix(".localhost") }

    /// LDH labels (underscores tolerated), each 1–63 characters, at most 253 in all.
    private static func isHostName(_ host: String) -> Bool {
        var name = Substring(host)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
