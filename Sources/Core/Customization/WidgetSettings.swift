/// The fully resolved look of one widget: built-in defaults with the organizer's and the event's
/// overrides applied. Everything here is already validated, so renderers can trust it.
public struct WidgetSettings: Equatable, Sendable {
    public var theme: WidgetTheme
    /// `nil` means the theme's own colour (which differs between light and dark).
    public var accentColor: HexColor?
    public var textColor: HexColor?
    public var backgroundColor: HexColor?
    public var buttonStyle: ButtonStyle
    public var borderRadius: Int
    public var font: WidgetFont
    public var providers: [ProviderType]
    public var labels: [ProviderType: String]
    /// The language of the widget, or with `followsVisitorLanguage` the fallback one: the
    /// organizer's own (their defaults' language), which the `.ics` and the feeds use too.
    public var language: WidgetLanguage
    /// `language: "auto"`: every language is published and the visitor's `Accept-Language` picks.
    public var followsVisitorLanguage: Bool
    public var showDescription: Bool
    public var reminderMinutes: Int
    /// The event page may be indexed by search engines (`noindex` otherwise).
    public var allowIndexing: Bool

    public static let defaults = WidgetSettings(
        theme: .auto, accentColor: nil, textColor: nil, backgroundColor: nil, buttonStyle: .filled, borderRadius: 8,
        font: .system, providers: [.google, .ics, .outlook, .office365, .yahoo], labels: [:], language: .en,
        followsVisitorLanguage: false, showDescription: true, reminderMinutes: 15, allowIndexing: false
    )

    /// Resolves the three layers; later layers win key by key.
    /// With `auto`, the fallback is the organizer's language: their defaults' when it is one.
    public static func resolve(userDefaults: CustomizationOverrides, event: CustomizationOverrides) -> WidgetSettings {
        var settings = defaults.applying(userDefaults.overlaid(with: event))
        if settings.followsVisitorLanguage { settings.language = userDefaults.language?.fixedLanguage ?? defaults.language }
        return settings
    }

    public func applying(_ overrides: CustomizationOverrides) -> WidgetSettings {
        var settings = self
        settings.theme = overrides.theme ?? theme
        settings.accentColor = overrides.accentColor.flatMap(HexColor.init) ?? accentColor
        settings.textColor = overrides.textColor.flatMap(HexColor.init) ?? textColor
        settings.backgroundColor = overrides.backgroundColor.flatMap(HexColor.init) ?? backgroundColor
        settings.buttonStyle = overrides.buttonStyle ?? buttonStyle
        settings.borderRadius = overrides.borderRadius ?? borderRadius
        settings.font = overrides.font ?? font
        settings.providers = overrides.providers ?? providers
        if let labels = overrides.labels {
            for (key, text) in labels {
                if let type = ProviderType(rawValue: key) { settings.labels[type] = text }
            }
        }
        switch overrides.language {
        case .fixed(let chosen)?:
            settings.language = chosen
            settings.followsVisitorLanguage = false
        case .auto?: settings.followsVisitorLanguage = true
        case nil: break
        }
        settings.allowIndexing = overrides.allowIndexing ?? allowIndexing
        settings.showDescription = overrides.showDescription ?? showDescription
        settings.reminderMinutes = overrides.reminderMinutes ?? reminderMinutes
        return settings
    }

    /// The same settings in one language: what each variant of an `auto` widget is rendered with.
    public func speaking(_ other: WidgetLanguage) -> WidgetSettings {
        var settings = self
        settings.language = other
        settings.followsVisitorLanguage = false
        return settings
    }

    /// The text of a provider's button: the organizer's label, else the built-in one in the widget's language.
    public func label(for type: ProviderType) -> String {
        labels[type] ?? WidgetStrings.for(language).providerLabel(type)
    }
}
