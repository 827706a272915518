/// Canonical form of user-entered text: line breaks are LF only (CRLF and lone CR become LF) and
/// control characters other than LF and TAB are removed. Every text that reaches storage, the
/// widget or the `.ics` goes through it, so all three agree on what the organizer wrote.
public enum PlainText {
    public static func normalized(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\r": result += "\n"
            case "\n": if !previousWasCR { result += "\n" }
            case "\t": result.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
