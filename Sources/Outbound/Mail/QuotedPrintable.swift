/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text with CRLF line ends.
///
/// Chosen over base64 because the mails are mostly ASCII and stay readable in a raw `.eml`.
/// Output lines are at most 76 characters, so they survive any relay. A line that is just "."
/// is left alone on purpose: SMTP's dot-stuffing is the layer that protects it.
enum QuotedPrintable {
    static let maxLineLength = 76

    /// Encodes `text`; any of CRLF, CR or LF in the input counts as one line break.
    static func encode(_ text: String) -> String {
        lines(of: text).map(encodeLine).joined(separator: "\r\n")
    }

    static func lines(of text: String) -> [Substring] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
    }

    private static func encodeLine(_ line: Substring) -> String {
        let bytes = Array(line.utf8)
        var tokens: [String] = []
        tokens.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            case 0x20, 0x09: literal = !isLast  // trailing white space would be stripped in transit
            case 0x3D: literal = false  // "="
            case 0x46 where index == 0 && line.hasPrefix("From "): literal = false  // mbox "From " lines
            case 0x21...0x7E: literal = true
            default: literal = false
            }
            tokens.append(literal ? String(UnicodeScalar(byte)) : escape(byte))
        }
        var out = ""
        var current = 0
        for token in tokens {
            if current + token.count > maxLineLength - 1 {  // room for the soft break "="
                out += "=\r\n"
                current = 0
            }
            out += token
            current += token.count
        }
        return out
    }

    private static func escape(_ byte: UInt8) -> String {
        let hex = Array("0123456789ABCDEF")
        return "=" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
    }
}
