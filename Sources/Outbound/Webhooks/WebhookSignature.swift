import Crypto

/// The `Attendify-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>` over `"<t>." + body`.
///
/// Same shape as Stripe's, so receivers can reuse what they know. The timestamp is inside the MAC
/// so a captured request cannot be replayed later with a fresh `t`.
public enum WebhookSignature {
    /// `"t=<timestamp>,v1=<lowercase hex HMAC-SHA256(key: secret utf8, message: "<timestamp>." + body)>"`.
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=" + hex(mac(secret: secret, timestamp: timestamp, body: body))
    }

    /// True when the header carries a valid v1 signature of `body` and its `t` is within
    /// `tolerance` seconds of `now` (either side, for clock skew). Comparison is constant-time.
    public static func verify(header: String, secret: String, body: [UInt8], now: Int64, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, !signatures.isEmpty else { return false }
        let (difference, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, difference.magnitude <= tolerance.magnitude else { return false }
        let expected = Array(hex(mac(secret: secret, timestamp: timestamp, body: body)).utf8)
        return signatures.contains { constantTimeEqual(Array($0.utf8), expected) }
    }

    private static func mac(secret: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
