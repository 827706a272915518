/// A partial set of widget settings: the organizer's defaults or one event's overrides. A key left
/// `nil` inherits from the layer below (built-in defaults <- organizer defaults <- event).
///
/// The key set is closed: `validated(from:field:)` rejects unknown keys, so a typo is a 422
/// rather than a silently ignored setting. Stored as JSON with exactly these snake_case keys.
public struct CustomizationOverrides: Equatable, Sendable, Codable {
    public var theme: WidgetTheme?
    public var accentColor: String?
    public var textColor: String?
    public var backgroundColor: String?
    public var buttonStyle: ButtonStyle?
    public var borderRadius: Int?
    public var font: WidgetFont?
    public var providers: [ProviderType]?
    /// Button text per provider type (raw value), at most `maximumLabelLength` characters each.
    public var labels: [String: String]?
    /// One language, or `auto`: the visitor's language among all published ones.
    public var language: LanguageChoice?
    public var showDescription: Bool?
    /// Minutes before the start at which the `.ics` reminder fires.
    public var reminderMinutes: Int?
    /// Whether search engines may index the event page (`/e/{id}`); off unless the organizer opts in.
    public var allowIndexing: Bool?

    public init(
        theme: WidgetTheme? = nil, accentColor: String? = nil, textColor: String? = nil,
        backgroundColor: String? = nil, buttonStyle: ButtonStyle? = nil, borderRadius: Int? = nil,
        font: WidgetFont? = nil, providers: [ProviderType]? = nil, labels: [String: String]? = nil,
        language: LanguageChoice? = nil, showDescription: Bool? = nil, reminderMinutes: Int? = nil,
        allowIndexing: Bool? = nil
    ) {
        self.theme = theme
        self.accentColor = accentColor
        self.textColor = textColor
        self.backgroundColor = backgroundColor
        self.buttonStyle = buttonStyle
        self.borderRadius = borderRadius
        self.font = font
        self.providers = providers
        self.labels = labels
        self.language = language
        self.showDescription = showDescription
        self.reminderMinutes = reminderMinutes
        self.allowIndexing = allowIndexing
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case theme
        case accentColor = "accent_color"
        case textColor = "text_color"
        case backgroundColor = "background_color"
        case buttonStyle = "button_style"
        case borderRadius = "border_radius"
        case font, providers, labels, language
        case showDescription = "show_description"
        case reminderMinutes = "reminder_minutes"
        case allowIndexing = "allow_indexing"
    }

    /// Every key a client may send, in documentation order.
    public static let allowedKeys: [String] = CodingKeys.allCases.map(\.rawValue)
    public static let borderRadiusRange = 0...24
    public static let reminderMinutesRange = 0...10_080
    public static let maximumLabelLength = 40

    /// Layers `other` over `self`: every key `other` sets wins.
    public func overlaid(with other: CustomizationOverrides) -> CustomizationOverrides {
        var merged = self
        merged.theme = other.theme ?? theme
        merged.accentColor = other.accentColor ?? accentColor
        merged.textColor = other.textColor ?? textColor
        merged.backgroundColor = other.backgroundColor ?? backgroundColor
        merged.buttonStyle = other.buttonStyle ?? buttonStyle
        merged.borderRadius = other.borderRadius ?? borderRadius
        merged.font = other.font ?? font
        merged.providers = other.providers ?? providers
        merged.labels = other.labels ?? labels
        merged.language = other.language ?? language
        merged.showDescription = other.showDescription ?? showDescription
        merged.reminderMinutes = other.reminderMinutes ?? reminderMinutes
        merged.allowIndexing = other.allowIndexing ?? allowIndexing
        return merged
    }
}
