/// The ways to subscribe to one feed: its own `https` URL, the `webcal://` form desktop clients
/// open, and the two web calendars' add-by-URL pages with the feed filled in. The API hands them
/// to organizers and the tracker redirects the widget's subscribe buttons to them.
public struct SubscriptionLinks: Sendable, Equatable {
    public var feedURL: String
    public var webcalURL: String
    public var googleURL: String
    public var outlookURL: String

    /// `feedURL` is absolute (`https://host/feed/{id}/calendar.ics`); `name` is what Outlook shows
    /// for the new calendar until the feed's own name arrives.
    public init(feedURL: String, name: String) {
        self.feedURL = feedURL
        webcalURL = Self.webcal(feedURL)
        // Google takes the feed as `cid`; given a webcal:// URL it subscribes instead of importing.
        googleURL = "https://calendar.google.com/calendar/render?cid=\(PercentEncoding.encodeQueryValue(webcalURL))"
        outlookURL =
            "https://outlook.live.com/calendar/0/addfromweb?url=\(PercentEncoding.encodeQueryValue(feedURL))&name=\(PercentEncoding.encodeQueryValue(name))"
    }

    /// The feed an event's subscribe buttons offer: the organizer's ("all our webinars") when the
    /// event is listed in it, else the event's own, so a subscriber always gets this event.
    public init(for item: PublishableEvent, publicBase: String) {
        if item.event.listed {
            self.init(
                feedURL: publicBase + ProviderLinks.organizerFeedPath(item.organizer.feedID),
                name: item.organizer.feedName(userDefaults: item.userDefaults))
        } else {
            self.init(feedURL: publicBase + ProviderLinks.eventFeedPath(item.event.publicID), name: PlainText.normalized(item.event.title))
        }
    }

    /// `https://host/…` → `webcal://host/…`: clients fetch webcal over HTTPS where the server has it.
    static func webcal(_ url: String) -> String {
        for scheme in ["https://", "http://"] where url.hasPrefix(scheme) {
            return "webcal://" + url.dropFirst(scheme.count)
        }
        return url
    }

    /// The URL a subscribe type redirects to.
    public func url(for type: ProviderType) -> String? {
        switch type {
        case .subscribeWebcal: webcalURL
        case .subscribeGoogle: googleURL
        case .subscribeOutlook: outlookURL
        default: nil
        }
    }
}
