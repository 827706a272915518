import Foundation

/// A language the widget, the event page, the calendar files and the panel speak. Each has one
/// texts file, `Panel/locales/{code}.json`; dates, lists and plural forms come from the
/// platform's locale data (ICU), never from tables of our own.
public enum WidgetLanguage: String, CaseIterable, Codable, Sendable {
    case en, pl, de, fr, es, it, pt, nl, sv, cs, uk, ja, ar, he

    /// Written right to left: the page gets `dir="rtl"`.
    public var isRightToLeft: Bool { self == .ar || self == .he }
    public var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The locale whose formats the widget uses. English and Polish keep the regional forms the
    /// widget has always shown; the others take the language's CLDR default region.
    public var locale: Locale {
        switch self {
        case .en: Locale(identifier: "en_US")
        case .pl: Locale(identifier: "pl_PL")
        default: Locale(identifier: rawValue)
        }
    }
}

/// The organizer's choice for a widget: one language, or `auto`, which publishes every language
/// and lets the visitor's `Accept-Language` pick (the organizer's own language when none fits).
public enum LanguageChoice: Equatable, Hashable, Sendable, CaseIterable, RawRepresentable, Codable {
    case auto
    case fixed(WidgetLanguage)

    public static let allCases: [LanguageChoice] = WidgetLanguage.allCases.map(LanguageChoice.fixed) + [.auto]

    public init?(rawValue: String) {
        if rawValue == "auto" {
            self = .auto
        } else if let language = WidgetLanguage(rawValue: rawValue) {
            self = .fixed(language)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .auto: "auto"
        case .fixed(let language): language.rawValue
        }
    }

    /// The language when one is fixed.
    public var fixedLanguage: WidgetLanguage? {
        if case .fixed(let language) = self { language } else { nil }
    }
}
