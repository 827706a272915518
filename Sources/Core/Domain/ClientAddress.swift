/// Who the client is, for rate limits: the TCP peer, unless the peer is a proxy we trust, in which
/// case the last address that proxy appended to `X-Forwarded-For`. Headers from anyone else are
/// ignored, since any client can send them.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String? {
        guard let peer else { return nil }
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let last = forwardedFor.split(separator: ",").last.map { String($0).trimmingWhitespace() } ?? ""
        return last.isEmpty ? peer : last
    }
}
