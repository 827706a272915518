/// RFC 5545 text rules: TEXT value escaping (section 3.3.11) and content-line folding (3.1).
/// Pure functions over strings; the `.ics` writer and the round-trip property tests share them.
public enum ICSText {
    /// Physical lines may hold at most 75 octets, not counting the CRLF.
    public static let maximumLineOctets = 75

    /// Escapes a TEXT value: backslash first (so later escapes are not doubled), then `;`, `,` and
    /// line breaks as `\n`. A CR (alone or in CRLF) becomes a line break too, and other control
    /// characters except TAB are dropped: RFC 5545 TEXT cannot carry them.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": escaped += "\\\\"
            case ";": escaped += "\\;"
            case ",": escaped += "\\,"
            case "\r": escaped += "\\n"
            case "\n": if !previousWasCR { escaped += "\\n" }
            case "\t": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Reverses `escape` (accepting `\N` too, as the RFC allows).
    public static func unescape(_ text: String) -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\", let next = iterator.next() else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch next {
            case "n", "N": result += "\n"
            default: result.unicodeScalars.append(next)
            }
        }
        return result
    }

    /// Folds one content line into physical lines of at most 75 octets joined by CRLF + space,
    /// cutting only between Unicode scalars so a UTF-8 sequence is never split. No trailing CRLF.
    public static func fold(_ line: String) -> String {
        guard line.utf8.count > maximumLineOctets else { return line }
        var folded = ""
        folded.reserveCapacity(line.utf8.count + line.utf8.count / 37)
        var octetsOnLine = 0
        for scalar in line.unicodeScalars {
            let width = UTF8.width(scalar)
            if octetsOnLine + width > maximumLineOctets {
                folded += "\r\n "
                octetsOnLine = 1  // the leading space of a continuation line counts
            }
            folded.unicodeScalars.append(scalar)
            octetsOnLine += width
        }
        return folded
    }

    /// Reverses `fold`: a CRLF followed by one space or tab disappears (RFC 5545 unfolding).
    public static func unfold(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = ""
        var index = 0
        while index < scalars.count {
            let isFoldBreak =
                scalars[index] == "\r" && index + 2 < scalars.count && scalars[index + 1] == "\n"
                && (scalars[index + 2] == " " || scalars[index + 2] == "\t")
            if isFoldBreak {
                index += 3
            } else {
                result.unicodeScalars.append(scalars[index])
                index += 1
            }
        }
        return result
    }
}
