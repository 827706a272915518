import Core

/// The e-mail rule: one `@`, a non-empty local part, a dotted domain, no spaces or control
/// characters, at most 254 characters. Deliverability is the mail server's business, not ours.
enum EmailAddress {
    static let maximumLength = 254

    static func problem(_ email: String) -> String? {
        if email.isEmpty { return "is required" }
        if email.count > maximumLength { return "must be at most \(maximumLength) characters" }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { return "must be an e-mail address such as ann@example.com" }
        return nil
    }
}
