import Core

/// The e-mail rule: `local@domain`, at most 254 characters. The local part is RFC 5322's
/// dot-atom (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots between them) or, for
/// internationalized addresses (RFC 6531), letters and digits of any script; the domain is dotted
/// labels of letters, digits and inner hyphens. Quoted local parts and address literals are
/// refused: real organizers do not have them, and they are how markup such as `<script>` or
/// header-breaking characters would get in. Deliverability is the mail server's business.
enum EmailAddress {
    static let maximumLength = 254
    static let maximumLocalLength = 64
    private static let atomSymbols = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    static func problem(_ email: String) -> String? {
        if email.isEmpty { return "is required" }
        if email.count > maximumLength { return "must be at most \(maximumLength) characters" }
        let invalid = "must be an e-mail address such as ann@example.com"
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, isLocalPart(parts[0]), isDomain(parts[1]) else { return invalid }
        return nil
    }

    private static func isLocalPart(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.unicodeScalars.count <= maximumLocalLength else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { isAlphanumeric($0) || atomSymbols.contains($0) }
        }
    }

    private static func isDomain(_ text: Substring) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.unicodeScalars.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" }
        }
    }

    /// ASCII letters and digits, and letters and digits of other scripts (not symbols or marks).
    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
