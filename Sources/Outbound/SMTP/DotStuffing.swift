/// The DATA payload of RFC 5321 §4.5.2: CRLF lines, a leading "." doubled, ended by CRLF "." CRLF.
///
/// Without the doubling, a body line that is just "." would end the mail early and the rest
/// would be read as SMTP commands.
enum DotStuffing {
    static func encode(_ message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 64)
        var lines = QuotedPrintable.lines(of: message)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the text already ended with a line break
        for line in lines {
            if line.hasPrefix(".") { out.append(UInt8(ascii: ".")) }
            out += line.utf8
            out += [13, 10]
        }
        out += Array(".\r\n".utf8)
        return out
    }
}
