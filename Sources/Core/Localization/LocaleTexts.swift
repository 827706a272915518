import Assets
import Foundation

/// The `widget` section of one language's texts file, `Panel/locales/{code}.json`, as embedded in
/// the binary. The panel reads the `panel` section of the same file, so each language's texts
/// live in one place. Files are checked by tests (every key of English present everywhere), so a
/// missing key here is a programming error; it falls back to English rather than stopping.
public struct LocaleTexts: Sendable {
    public let language: WidgetLanguage
    private let texts: [String: String]

    public static func `for`(_ language: WidgetLanguage) -> LocaleTexts { all[language] ?? LocaleTexts(language: language, texts: [:]) }

    private static let all: [WidgetLanguage: LocaleTexts] = {
        var result: [WidgetLanguage: LocaleTexts] = [:]
        for language in WidgetLanguage.allCases {
            result[language] = LocaleTexts(language: language, texts: widgetSection(language))
        }
        return result
    }()

    static func widgetSection(_ language: WidgetLanguage) -> [String: String] {
        guard let bytes = Assets.file("Panel/locales/\(language.rawValue).json"),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let widget = object["widget"] as? [String: Any]
        else { return [:] }
        return widget.compactMapValues { $0 as? String }
    }

    /// Keys present in this language's widget section (for the completeness tests).
    public var keys: Set<String> { Set(texts.keys) }

    /// One text, English when this language lacks it.
    public func text(_ key: String) -> String {
        texts[key] ?? (language == .en ? key : LocaleTexts.for(.en).text(key))
    }

    /// A counted text: `key_one`, `key_few`… chosen by CLDR's rule for `count`, `{n}` replaced.
    public func plural(_ key: String, _ count: Int) -> String {
        let category = PluralCategory.of(count, in: language)
        let pattern = texts["\(key)_\(category)"] ?? texts["\(key)_other"] ?? LocaleTexts.for(.en).plural(key, count)
        return pattern.replacingOccurrences(of: "{n}", with: String(count))
    }

    /// `{name}` placeholders replaced.
    public func text(_ key: String, _ values: [String: String]) -> String {
        values.reduce(text(key)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}
