/// Percent-encoding for query values: everything but RFC 3986 unreserved characters is encoded
/// (UTF-8 bytes as `%XX`, space as `%20`), so `&`, `=`, `#`, `+` and line breaks in an event's
/// text can never change the meaning of a provider link.
public enum PercentEncoding {
    public static func encodeQueryValue(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hexDigit(byte >> 4))
                result.unicodeScalars.append(hexDigit(byte & 15))
            }
        }
        return result
    }

    /// The length `encodeQueryValue` would produce, without building the string.
    public static func encodedLength(_ text: some StringProtocol) -> Int {
        text.utf8.reduce(0) { $0 + (isUnreserved($1) ? 1 : 3) }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hexDigit(_ value: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10)
    }
}
