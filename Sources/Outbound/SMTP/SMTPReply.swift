/// One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more text lines.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var isPositiveCompletion: Bool { (200..<300).contains(code) }

    /// The first line, shortened, with every word that holds an "@" replaced: servers like to echo
    /// the address they refuse, and error texts end up in logs.
    var safeText: String {
        let words = (lines.first ?? "").split(separator: " ").map { $0.contains("@") ? "[address]" : String($0) }
        let text = words.joined(separator: " ")
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    /// EHLO keywords, upper-cased, each with its parameters (`AUTH` → ["PLAIN", "LOGIN"]).
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            result[keyword] = Array(words.dropFirst())
        }
        return result
    }
}
