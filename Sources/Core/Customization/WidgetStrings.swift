/// The widget's and the feeds' fixed texts in each supported language.
public struct WidgetStrings: Sendable {
    public let heading: String
    /// Above the subscribe buttons once the event itself can no longer be added.
    public let subscribeHeading: String
    public let buttonsLabel: String
    public let joinLink: String
    /// The widget of a cancelled event: a short state and a sentence.
    public let cancelledState: String
    public let cancelledText: String
    /// The widget after the event ended, and its link to the recording.
    public let endedState: String
    public let recordingLink: String
    /// Put before a cancelled event's title in calendars: many clients do not show STATUS at all.
    public let cancelledTitlePrefix: String
    /// The first line of a cancelled event's details in calendars.
    public let cancelledNotice: String
    /// Under a series' buttons when the organizer offers calendars that cannot add a series.
    public let seriesNote: String
    private let feedNamePattern: String
    private let defaultFeedName: String
    private let labels: [ProviderType: String]

    public func providerLabel(_ type: ProviderType) -> String { labels[type] ?? type.rawValue }

    /// The name subscribers see for an organizer's feed.
    public func feedName(organizer: String?) -> String {
        guard let name = organizer.map(PlainText.normalized)?.trimmingWhitespace(), !name.isEmpty else { return defaultFeedName }
        return feedNamePattern.replacingOccurrences(of: "{name}", with: String(name.prefix(100)))
    }

    public static func `for`(_ language: WidgetLanguage) -> WidgetStrings {
        switch language {
        case .en: english
        case .pl: polish
        }
    }

    static let english = WidgetStrings(
        heading: "Add to calendar", subscribeHeading: "Subscribe to our webinars", buttonsLabel: "Add this event to your calendar", joinLink: "Join link",
        cancelledState: "Cancelled", cancelledText: "This webinar has been cancelled.",
        endedState: "This webinar has ended", recordingLink: "Watch the recording",
        cancelledTitlePrefix: "Cancelled: ", cancelledNotice: "This event has been cancelled.",
        seriesNote: "Outlook.com, Microsoft 365, Yahoo and Teams cannot add a series from a link: use Apple / .ics, Google or a subscription.",
        feedNamePattern: "{name}: webinars", defaultFeedName: "Webinars",
        labels: [
            .google: "Google", .ics: "Apple / .ics", .outlook: "Outlook.com", .office365: "Microsoft 365", .yahoo: "Yahoo", .teams: "Microsoft Teams",
            .subscribeWebcal: "Subscribe (Apple, webcal)", .subscribeGoogle: "Subscribe in Google",
            .subscribeOutlook: "Subscribe in Outlook",
        ]
    )

    static let polish = WidgetStrings(
        heading: "Dodaj do kalendarza", subscribeHeading: "Subskrybuj nasze webinary", buttonsLabel: "Dodaj to wydarzenie do swojego kalendarza", joinLink: "Link do wydarzenia",
        cancelledState: "Odwołane", cancelledText: "To wydarzenie zostało odwołane.",
        endedState: "To wydarzenie już się zakończyło", recordingLink: "Obejrzyj nagranie",
        cancelledTitlePrefix: "Odwołane: ", cancelledNotice: "To wydarzenie zostało odwołane.",
        seriesNote: "Outlook.com, Microsoft 365, Yahoo i Teams nie dodadzą serii z linku: użyj Apple / .ics, Google albo subskrypcji.",
        feedNamePattern: "{name}: webinary", defaultFeedName: "Webinary",
        labels: [
            .google: "Google", .ics: "Apple / .ics", .outlook: "Outlook.com", .office365: "Microsoft 365", .yahoo: "Yahoo", .teams: "Microsoft Teams",
            .subscribeWebcal: "Subskrybuj (Apple, webcal)", .subscribeGoogle: "Subskrybuj w Google",
            .subscribeOutlook: "Subskrybuj w Outlooku",
        ]
    )
}
