#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading IP addresses written as host names, in every form a resolver would accept.
///
/// The SSRF check must see `http://2130706433/`, `http://0x7f.1/` and `http://017700000001/` as
/// 127.0.0.1, because `getaddrinfo` (inet_aton rules) and browsers (WHATWG URL) both do.
enum IPLiteral {
    /// IPv4 in inet_aton form: 1 to 4 parts, each decimal, `0x` hex or `0` octal; the last part
    /// fills the remaining bytes (`127.1` is 127.0.0.1). One trailing dot is allowed.
    static func parseIPv4(_ text: String) -> [UInt8]? {
        var host = Substring(text)
        if host.hasSuffix(".") { host = host.dropLast() }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            values.append(value)
        }
        for value in values.dropLast() where value > 255 { return nil }
        let lastBytes = 5 - values.count
        guard let last = values.last, last < (UInt64(1) << (8 * UInt64(lastBytes))) else { return nil }
        var bytes = values.dropLast().map { UInt8($0) }
        for shift in stride(from: (lastBytes - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8((last >> UInt64(shift)) & 0xFF))
        }
        return bytes
    }

    /// Whether a host name must be read as IPv4 (WHATWG: its last label is a number). Such a host
    /// is an address or invalid, never a name to look up.
    static func looksLikeIPv4(_ text: String) -> Bool {
        var host = Substring(text)
        if host.hasSuffix(".") { host = host.dropLast() }
        guard let last = host.split(separator: ".", omittingEmptySubsequences: false).last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = last.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// IPv6 text without brackets or zone (`::1`, `::ffff:127.0.0.1`), via inet_pton.
    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard !text.contains("%") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// Any literal: IPv6 (with or without brackets) or IPv4 in any inet_aton form.
    static func parse(_ text: String) -> [UInt8]? {
        if text.hasPrefix("["), text.hasSuffix("]") { return parseIPv6(String(text.dropFirst().dropLast())) }
        if text.contains(":") { return parseIPv6(text) }
        return looksLikeIPv4(text) ? parseIPv4(text) : nil
    }

    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        let lower = part.lowercased()
        let digits: Substring
        let radix: Int
        if lower.hasPrefix("0x") {
            digits = Substring(lower.dropFirst(2))
            radix = 16
            if digits.isEmpty { return 0 }
        } else if lower.count > 1, lower.hasPrefix("0") {
            digits = Substring(lower.dropFirst())
            radix = 8
        } else {
            digits = Substring(lower)
            radix = 10
        }
        guard digits.count <= 32, let value = UInt64(digits, radix: radix), value <= UInt64(UInt32.max) else { return nil }
        return value
    }
}
