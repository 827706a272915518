import NIOCore

/// Where webhooks may go: the SSRF rules of the spec, applied twice.
///
/// Once, statically, when an organizer registers a URL (`problem(with:)`), so typos and obvious
/// internal targets are answered with a 422; and again at delivery on every address the host
/// resolves to (`permits`), because a public name can point anywhere. `allowPrivate` is the
/// operator's switch for installations whose receivers live on the same network.
public struct WebhookTargetPolicy: Sendable {
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// nil when `url` may be registered, else a short message fit for a 422 ("must use https",
    /// "must not contain a user name or password", "must not point at a private or loopback
    /// address", "must be at most 2048 characters", "must be an absolute http(s) URL with a host",
    /// "must not have a fragment"). IP literals in every form and `localhost`/`*.localhost` are
    /// checked against the private ranges; other names are checked when delivering.
    public func problem(with url: String) -> String? {
        let parsed: WebhookURL
        do {
            parsed = try WebhookURL.parse(url)
        } catch {
            return error.rawValue
        }
        if !parsed.isHTTPS, !allowPrivate { return "must use https" }
        if !allowPrivate, parsed.isLocalhostName || parsed.literal.map({ !AddressRanges.isPublic($0) }) == true {
            return "must not point at a private or loopback address"
        }
        return nil
    }

    /// Whether a resolved address may be contacted (always true when private targets are allowed).
    public func permits(_ address: SocketAddress) -> Bool {
        allowPrivate || Self.isPublic(address)
    }

    /// False for loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16), carrier-grade NAT
    /// (100.64/10), link-local (169.254/16, fe80::/10), 0/8, multicast and reserved (224/4,
    /// 240/4, 255.255.255.255), unique local (fc00::/7), IPv6 multicast (ff00::/8), `::`, and the
    /// IPv6 forms that embed one of these IPv4 addresses (::ffff:a.b.c.d, 64:ff9b::/96,
    /// 2002::/16). Unix-domain sockets are never public.
    public static func isPublic(_ address: SocketAddress) -> Bool {
        guard let bytes = address.ipBytes else { return false }
        return AddressRanges.isPublic(bytes)
    }
}

extension SocketAddress {
    /// The raw address in network byte order: 4 bytes for IPv4, 16 for IPv6, nil for Unix sockets.
    var ipBytes: [UInt8]? {
        switch self {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return withUnsafeBytes(of: &raw) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
