import Core

/// Which of a page's language variants a visitor gets: RFC 4647 lookup over `Accept-Language`,
/// by quality (`q`), ties in the order sent; a region falls back to its language (`de-AT` → de),
/// `q=0` refuses a language, `*` (or nothing that matches) means the organizer's fallback,
/// `index.html`. The production Nginx config approximates this with the first listed language
/// it knows (browsers list by preference), see `NginxConfig`.
enum LanguageNegotiation {
    static func preferences(_ header: String?) -> [WidgetLanguage] {
        guard let header, header.utf8.count <= 1_024 else { return [] }
        var ranked: [(language: WidgetLanguage?, wildcard: Bool, quality: Double, order: Int)] = []
        for (order, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0, quality <= 1 else { continue }
            let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? tag
            ranked.append((WidgetLanguage(rawValue: primary), tag == "*", quality, order))
        }
        ranked.sort { $0.quality != $1.quality ? $0.quality > $1.quality : $0.order < $1.order }
        var result: [WidgetLanguage] = []
        for entry in ranked {
            // `*` stands for "anything else": the fallback, so the lookup ends there.
            if entry.wildcard { break }
            if let language = entry.language, !result.contains(language) { result.append(language) }
        }
        return result
    }
}
