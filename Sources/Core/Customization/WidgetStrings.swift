/// The widget's fixed texts in each supported language.
public struct WidgetStrings: Sendable {
    public let heading: String
    public let buttonsLabel: String
    public let joinLink: String
    private let labels: [ProviderType: String]

    public func providerLabel(_ type: ProviderType) -> String { labels[type] ?? type.rawValue }

    public static func `for`(_ language: WidgetLanguage) -> WidgetStrings {
        switch language {
        case .en: english
        case .pl: polish
        }
    }

    static let english = WidgetStrings(
        heading: "Add to calendar", buttonsLabel: "Add this event to your calendar", joinLink: "Join link",
        labels: [.google: "Google", .ics: "Apple / .ics", .outlook: "Outlook.com", .office365: "Microsoft 365", .yahoo: "Yahoo"]
    )

    static let polish = WidgetStrings(
        heading: "Dodaj do kalendarza", buttonsLabel: "Dodaj to wydarzenie do swojego kalendarza", joinLink: "Link do wydarzenia",
        labels: [.google: "Google", .ics: "Apple / .ics", .outlook: "Outlook.com", .office365: "Microsoft 365", .yahoo: "Yahoo"]
    )
}
