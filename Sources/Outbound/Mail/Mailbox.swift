/// A mailbox split into its optional display name and its address, parsed leniently.
///
/// `MailMessage.from` may be `"Name <addr>"`; both parts go to different places (the From header
/// shows the name, SMTP's MAIL FROM takes only the address). Parsing never fails: control
/// characters are dropped so no value can smuggle a line break into a header or an SMTP command,
/// and `isValid` tells whether what is left can be used as an envelope address.
struct Mailbox: Equatable {
    var displayName: String?
    var address: String

    init(displayName: String?, address: String) {
        self.displayName = displayName
        self.address = address
    }

    init(parsing raw: String) {
        let text = raw.trimmingWhitespace
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let inner = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var name = String(text[..<open]).trimmingWhitespace
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            let cleanName = HeaderText.singleLine(name)
            self.init(displayName: cleanName.isEmpty ? nil : cleanName, address: Self.clean(inner))
        } else {
            self.init(displayName: nil, address: Self.clean(text))
        }
    }

    /// Keeps only characters that can appear in an addr-spec; anything else (CR, LF, spaces,
    /// angle brackets) would let the address break out of `<…>` in a header or SMTP command.
    private static func clean(_ address: String) -> String {
        String(String.UnicodeScalarView(address.unicodeScalars.filter { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && !"<>".unicodeScalars.contains(scalar)
                && !(0x80...0x9F).contains(scalar.value)
        }))
    }

    /// A usable envelope address: `local@domain`, printable ASCII without specials, at most 254
    /// characters (RFC 5321's path limit). Internationalized addresses are refused rather than
    /// sent without SMTPUTF8 and mangled on the way.
    var isValid: Bool {
        guard address.utf8.count <= 254, address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let forbidden = Set("()<>[]:;,\\\"".utf8)
        guard !address.utf8.contains(where: { forbidden.contains($0) }) else { return false }
        let domain = parts[1]
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// The domain part, used for Message-IDs; `localhost` when there is none.
    var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "localhost" }
        let domain = address[address.index(after: at)...]
        return domain.isEmpty ? "localhost" : String(domain)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
