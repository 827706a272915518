import Assets
import Foundation

/// A section (`widget` or `mail`) of one language's texts file, `Panel/locales/{code}.json`, as embedded in
/// the binary. The panel reads the `panel` section of the same file, so each language's texts
/// live in one place. Files are checked by tests (every key of English present everywhere), so a
/// missing key here is a programming error; it falls back to English rather than stopping.
public struct LocaleTexts: Sendable {
    public let language: WidgetLanguage
    /// Which section of the file: `widget` (pages and calendars) or `mail` (account mails).
    public let section: String
    private let texts: [String: String]

    /// The widget texts of a language.
    public static func `for`(_ language: WidgetLanguage) -> LocaleTexts { widgetTexts[language] ?? LocaleTexts(language: language, section: "widget", texts: [:]) }

    /// The texts of the mails an organizer gets about their account.
    public static func mail(_ language: WidgetLanguage) -> LocaleTexts { mailTexts[language] ?? LocaleTexts(language: language, section: "mail", texts: [:]) }

    private static let widgetTexts = load("widget")
    private static let mailTexts = load("mail")

    private static func load(_ section: String) -> [WidgetLanguage: LocaleTexts] {
        var result: [WidgetLanguage: LocaleTexts] = [:]
        for language in WidgetLanguage.allCases {
            result[language] = LocaleTexts(language: language, section: section, texts: Self.section(section, of: language))
        }
        return result
    }

    static func widgetSection(_ language: WidgetLanguage) -> [String: String] { section("widget", of: language) }

    static func section(_ name: String, of language: WidgetLanguage) -> [String: String] {
        guard let bytes = Assets.file("Panel/locales/\(language.rawValue).json"),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let section = object[name] as? [String: Any]
        else { return [:] }
        return section.compactMapValues { $0 as? String }
    }

    private var english: LocaleTexts { section == "mail" ? LocaleTexts.mail(.en) : LocaleTexts.for(.en) }

    /// Keys present in this language's widget section (for the completeness tests).
    public var keys: Set<String> { Set(texts.keys) }

    /// One text, English when this language lacks it.
    public func text(_ key: String) -> String {
        texts[key] ?? (language == .en ? key : english.text(key))
    }

    /// A counted text: `key_one`, `key_few`… chosen by CLDR's rule for `count`, `{n}` replaced.
    public func plural(_ key: String, _ count: Int) -> String {
        let category = PluralCategory.of(count, in: language)
        let pattern = texts["\(key)_\(category)"] ?? texts["\(key)_other"] ?? english.plural(key, count)
        return pattern.replacingOccurrences(of: "{n}", with: String(count))
    }

    /// `{name}` placeholders replaced.
    public func text(_ key: String, _ values: [String: String]) -> String {
        values.reduce(text(key)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}
