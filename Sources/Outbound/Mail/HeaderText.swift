import Foundation

/// Turning arbitrary text into safe, folded header lines (RFC 5322 §2.2.3, RFC 2047).
///
/// Every header value passes through here, which is the one place that guarantees no CR or LF from
/// a subject or name ever reaches the message as a line break: they become spaces before folding.
enum HeaderText {
    /// Soft limit for a header line, CRLF excluded (RFC 5322 §2.1.1).
    static let lineLimit = 78

    /// Control characters (CR and LF included) become spaces, runs of whitespace collapse to one.
    static func singleLine(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isControl = scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
            if isControl || scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Whether text can go into a header as it is: printable ASCII and nothing a reader would take
    /// for the start of an encoded-word.
    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// Words for `fold`: plain words when the text is plain ASCII and every word fits on a line,
    /// else RFC 2047 B-encoded words (UTF-8), each short enough to fit on a folded line.
    static func words(_ text: String, headerName: String) -> [String] {
        let clean = singleLine(text)
        let plain = clean.split(separator: " ").map(String.init)
        let room = lineLimit - headerName.count - 2
        if isPlainASCII(clean), plain.allSatisfy({ $0.count <= room }) { return plain }
        return encodedWords(clean)
    }

    /// `=?UTF-8?B?…?=` words of at most 42 bytes of UTF-8 each (68 characters, so even the first
    /// after "Subject: " stays under 78); never splits a Unicode scalar.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk.removeAll()
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 42 { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Name: w1 w2…` folded before a word whenever the line would pass 78 characters.
    /// Words are never split; a single space separates them (folding puts CRLF before it).
    static func fold(_ name: String, _ words: [String]) -> String {
        var result = name + ":"
        var lineLength = result.count
        for word in words {
            if lineLength + 1 + word.count > lineLimit, lineLength > name.count + 1 {
                result += "\r\n"
                lineLength = 0
            }
            result += " " + word
            lineLength += 1 + word.count
        }
        return result + "\r\n"
    }

    /// A display name as header words: plain (quoted when it has specials) or encoded-words.
    static func displayNameWords(_ name: String) -> [String] {
        let clean = singleLine(name)
        guard isPlainASCII(clean) else { return encodedWords(clean) }
        let specials = Set("()<>[]:;@\\,.\"".utf8)
        guard clean.utf8.contains(where: { specials.contains($0) }) else {
            return clean.split(separator: " ").map(String.init)
        }
        let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"" + escaped + "\""]
    }
}
