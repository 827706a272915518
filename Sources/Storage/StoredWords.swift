/// Lists of fixed words (scopes, webhook event types) as both engines store them: one text
/// column, space-separated, sorted, so equal sets are equal strings.
enum StoredWords {
    static func join(_ words: [String]) -> String { Set(words).sorted().joined(separator: " ") }
    static func split(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
}
