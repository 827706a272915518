/// Turns the server's bytes into replies: lines end in CRLF (a bare LF is tolerated), `250-…`
/// continues a reply and `250 …` ends it (RFC 5321 §4.2.1).
///
/// A plain value rather than a ByteToMessageDecoder so `SMTPReplyHandler` can see whether bytes
/// are still buffered when TLS starts: anything the server sent after its 220 to STARTTLS was
/// sent in plain text and must not be read as if it came over TLS (STARTTLS command injection).
/// Lines over 4 KiB (RFC 5321 allows 512) mean the peer is not an SMTP server.
struct SMTPReplyParser {
    static let maxLineLength = 4096
    private var buffer: [UInt8] = []
    private var pendingLines: [String] = []

    /// Whether part of a line or reply is waiting for more bytes.
    var hasBufferedInput: Bool { !buffer.isEmpty || !pendingLines.isEmpty }

    /// Appends bytes and returns every reply they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(SMTPConnectionError) -> [SMTPReply] {
        buffer.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard end - start <= Self.maxLineLength else { throw .malformedReply }
            if let reply = try accept(buffer[start..<end]) { replies.append(reply) }
            start = newline + 1
        }
        buffer.removeFirst(start)
        guard buffer.count <= Self.maxLineLength else { throw .malformedReply }
        return replies
    }

    private mutating func accept(_ line: ArraySlice<UInt8>) throws(SMTPConnectionError) -> SMTPReply? {
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: digits, as: UTF8.self)) else { throw .malformedReply }
        let rest = line.dropFirst(3)
        let separator = rest.first ?? UInt8(ascii: " ")
        pendingLines.append(String(decoding: rest.dropFirst(), as: UTF8.self))
        switch separator {
        case UInt8(ascii: "-"):
            return nil
        case UInt8(ascii: " "):
            defer { pendingLines.removeAll() }
            return SMTPReply(code: code, lines: pendingLines)
        default:
            throw .malformedReply
        }
    }
}
