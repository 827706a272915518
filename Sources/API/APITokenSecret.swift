/// Personal API tokens: `atf_` and a session-grade random part. The prefix tells them apart from
/// session tokens without a lookup, and lets secret scanners (and people) recognise a leaked one.
enum APITokenSecret {
    static let prefix = "atf_"

    static func generate() -> String { prefix + SessionToken.generate() }

    static func looksValid(_ token: String) -> Bool {
        token.hasPrefix(prefix) && SessionToken.looksValid(String(token.dropFirst(prefix.count)))
    }
}

/// Webhook signing secrets: shown once, kept by the server because signing needs them.
enum WebhookSecret {
    static func generate() -> String { "whsec_" + SessionToken.generate() }
}
