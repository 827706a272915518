import Crypto
import Foundation

/// Renders a `MailMessage` as RFC 5322 / MIME text, the same bytes for SMTP and the drop folder.
///
/// Output is 7-bit clean (encoded-words in headers, quoted-printable bodies), so it needs neither
/// 8BITMIME nor SMTPUTF8 from a server, and every line is CRLF-terminated and at most 78
/// characters except where a single header word is longer (still far below 998).
public enum MIMEMessage {
    /// Date, Message-ID, MIME-Version, From, To, Subject (RFC 2047 encoded when not plain ASCII),
    /// Auto-Submitted: auto-generated (so vacation responders stay quiet), then either a single
    /// text/plain part or multipart/alternative with text/plain before text/html, both UTF-8 and
    /// quoted-printable. CR/LF in subject, from or to become spaces, so they can never start a
    /// new header. `messageID` may be given with or without angle brackets.
    public static func render(_ message: MailMessage, date: Date, messageID: String) -> String {
        let from = Mailbox(parsing: message.from)
        let to = Mailbox(parsing: message.to)
        let id = cleanMessageID(messageID)

        var out = ""
        out += HeaderText.fold("Date", [RFC5322Date.string(from: date)])
        out += HeaderText.fold("Message-ID", ["<\(id)>"])
        out += "MIME-Version: 1.0\r\n"
        out += HeaderText.fold("From", mailboxWords(from))
        out += HeaderText.fold("To", mailboxWords(to))
        out += HeaderText.fold("Subject", HeaderText.words(message.subject, headerName: "Subject"))
        out += "Auto-Submitted: auto-generated\r\n"

        let textPart = QuotedPrintable.encode(message.text)
        guard let html = message.html else {
            out += "Content-Type: text/plain; charset=utf-8\r\n"
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            return out + textPart + "\r\n"
        }
        // "=_" never occurs in quoted-printable output ("=" is always "=3D" or a soft break),
        // so this boundary cannot collide with either body.
        let boundary = "=_attendify_" + boundarySuffix(id)
        out += HeaderText.fold("Content-Type", ["multipart/alternative;", "boundary=\"\(boundary)\""])
        out += "\r\nThis is a multi-part message in MIME format.\r\n"
        for (type, body) in [("text/plain", textPart), ("text/html", QuotedPrintable.encode(html))] {
            out += "\r\n--\(boundary)\r\n"
            out += "Content-Type: \(type); charset=utf-8\r\n"
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            out += body
        }
        return out + "\r\n--\(boundary)--\r\n"
    }

    private static func mailboxWords(_ mailbox: Mailbox) -> [String] {
        guard let name = mailbox.displayName else { return [mailbox.address] }
        return HeaderText.displayNameWords(name) + ["<\(mailbox.address)>"]
    }

    /// The id without brackets, stripped of anything that could end the header or the `<…>`.
    private static func cleanMessageID(_ raw: String) -> String {
        var id = raw.trimmingWhitespace
        if id.hasPrefix("<"), id.hasSuffix(">"), id.count >= 2 { id = String(id.dropFirst().dropLast()) }
        let kept = id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
        let clean = String(String.UnicodeScalarView(kept))
        return clean.isEmpty ? "missing-id@localhost" : clean
    }

    /// Deterministic per message, so rendering the same message twice gives the same bytes.
    private static func boundarySuffix(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).prefix(12).map { byte in
            let hex = Array("0123456789abcdef")
            return String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
        }.joined()
    }
}
