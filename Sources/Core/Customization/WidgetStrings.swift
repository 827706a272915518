/// The widget's and the feeds' fixed texts in one language, read from the language's texts file
/// (`Panel/locales/{code}.json`, section `widget`).
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
    /// Before the time in the visitor's own zone, which the widget's script adds: "Your time".
    public let visitorTime: String
    private let feedNamePattern: String
    private let defaultFeedName: String
    private let labels: [ProviderType: String]

    public func providerLabel(_ type: ProviderType) -> String { labels[type] ?? type.rawValue }

    /// The name subscribers see for an organizer's feed.
    public func feedName(organizer: String?) -> String {
        guard let name = organizer.map(PlainText.normalized)?.trimmingWhitespace(), !name.isEmpty else { return defaultFeedName }
        return feedNamePattern.replacingOccurrences(of: "{name}", with: String(name.prefix(100)))
    }

    public static func `for`(_ language: WidgetLanguage) -> WidgetStrings { all[language]! }

    private static let all: [WidgetLanguage: WidgetStrings] = Dictionary(
        uniqueKeysWithValues: WidgetLanguage.allCases.map { ($0, WidgetStrings(LocaleTexts.for($0))) })

    /// The key of each provider's default button label in the texts file.
    static func labelKey(_ type: ProviderType) -> String {
        let name = String(describing: type)  // the case name: subscribeWebcal, not subscribe_webcal
        return "label" + name.prefix(1).uppercased() + name.dropFirst()
    }

    private init(_ texts: LocaleTexts) {
        heading = texts.text("heading")
        subscribeHeading = texts.text("subscribeHeading")
        buttonsLabel = texts.text("buttonsLabel")
        joinLink = texts.text("joinLink")
        cancelledState = texts.text("cancelledState")
        cancelledText = texts.text("cancelledText")
        endedState = texts.text("endedState")
        recordingLink = texts.text("recordingLink")
        cancelledTitlePrefix = texts.text("cancelledTitlePrefix")
        cancelledNotice = texts.text("cancelledNotice")
        seriesNote = texts.text("seriesNote")
        visitorTime = texts.text("visitorTime")
        feedNamePattern = texts.text("feedName")
        defaultFeedName = texts.text("defaultFeedName")
        labels = Dictionary(uniqueKeysWithValues: ProviderType.allCases.map { ($0, texts.text(Self.labelKey($0))) })
    }
}
