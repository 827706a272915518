/// A calendar a visitor can add the event to, or subscribe to; each is one button in the widget
/// and one `/track/{public_id}/{type}` link.
public enum ProviderType: String, CaseIterable, Codable, Sendable {
    /// Google Calendar (web).
    case google
    /// An `.ics` download: Apple Calendar and every desktop client.
    case ics
    /// Outlook.com (personal Microsoft accounts).
    case outlook
    /// Microsoft 365 (work and school accounts).
    case office365
    /// Yahoo Calendar.
    case yahoo
    /// Microsoft Teams: a new meeting in the visitor's Teams calendar, prefilled.
    case teams
    /// Subscribe to the feed by `webcal://`: Apple Calendar, Thunderbird, any desktop client.
    case subscribeWebcal = "subscribe_webcal"
    /// Google Calendar's add-by-URL page with the feed filled in.
    case subscribeGoogle = "subscribe_google"
    /// Outlook.com / Microsoft 365's `addfromweb` page with the feed filled in.
    case subscribeOutlook = "subscribe_outlook"

    /// True for the types that put a one-time copy of this event into a calendar; false for the
    /// subscriptions, which stay useful after the event ended or was cancelled.
    public var addsEvent: Bool {
        switch self {
        case .google, .ics, .outlook, .office365, .yahoo, .teams: true
        case .subscribeWebcal, .subscribeGoogle, .subscribeOutlook: false
        }
    }

    /// Whether the type can add a whole series: the `.ics` and Google's link carry the rule;
    /// Outlook.com's, Microsoft 365's, Yahoo's and Teams' add links cannot, and would add one
    /// session as if it were the event, so a series does not offer them.
    public var carriesSeries: Bool {
        switch self {
        case .outlook, .office365, .yahoo, .teams: false
        default: true
        }
    }

    /// Parses a type from raw URL bytes without allocating a String on the tracker's hot path.
    public init?(utf8 bytes: some Collection<UInt8>) {
        for type in Self.allCases where type.rawValue.utf8.elementsEqual(bytes) {
            self = type
            return
        }
        return nil
    }
}
