/// Text made safe inside HTML we write by hand (embed codes, mails): the five characters that
/// can end an element or a quoted attribute become references; line breaks become spaces, which
/// an attribute would otherwise normalise anyway.
public enum HTMLEscape {
    public static func text(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\n", "\r\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
