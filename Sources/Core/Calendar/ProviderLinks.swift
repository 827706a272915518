import Foundation

/// Builds the "add this event" URL of each web calendar, and the path of the `.ics` download.
///
/// Links stay under `maximumLinkLength` (browsers and the providers' own servers reject longer
/// ones): the webinar link always survives; the title and then the description are shortened, at
/// character boundaries and with an ellipsis, only as far as needed.
public struct ProviderLinks: Sendable {
    /// Comfortably under the ~2,000 characters that browsers and calendar servers accept.
    public static let maximumLinkLength = 1_800

    public init() {}

    /// The redirect target of `/track/{public_id}/{type}` for the types that add the event (for
    /// `ics` a site-relative path); nil for subscriptions, whose targets are `SubscriptionLinks`.
    public func url(for type: ProviderType, event: Event) -> String? {
        if event.recurrence != nil && !type.carriesSeries { return nil }
        switch type {
        case .subscribeWebcal, .subscribeGoogle, .subscribeOutlook:
            return nil
        case .google:
            return build(
                base: "https://calendar.google.com/calendar/render?action=TEMPLATE", fixed: Self.googleTiming(event),
                titleKey: "text", detailsKey: "details", locationKey: "location", event: event, lineBreak: "\n")
        case .outlook:
            return build(
                base: "https://outlook.live.com/calendar/0/action/compose?rru=addevent&path=%2Fcalendar%2Faction%2Fcompose",
                fixed: [("startdt", UTCTimestamp.extended(event.start)), ("enddt", UTCTimestamp.extended(event.end))],
                titleKey: "subject", detailsKey: "body", locationKey: "location", event: event, lineBreak: "<br>")
        case .office365:
            // outlook.office.com answers long query strings with an error; the cloud.microsoft
            // deeplink takes the same parameters and does not.
            return build(
                base: "https://outlook.cloud.microsoft/calendar/deeplink/compose?rru=addevent&path=%2Fcalendar%2Faction%2Fcompose",
                fixed: [("startdt", UTCTimestamp.extended(event.start)), ("enddt", UTCTimestamp.extended(event.end))],
                titleKey: "subject", detailsKey: "body", locationKey: "location", event: event, lineBreak: "<br>")
        case .yahoo:
            return build(
                base: "https://calendar.yahoo.com/?v=60",
                fixed: [("st", UTCTimestamp.basic(event.start)), ("et", UTCTimestamp.basic(event.end))],
                titleKey: "title", detailsKey: "desc", locationKey: "in_loc", event: event, lineBreak: "\n")
        case .teams:
            // Teams' meeting deeplink: no location field, so the join link travels in the
            // content (the details always end with it).
            return build(
                base: "https://teams.microsoft.com/l/meeting/new?",
                fixed: [("startTime", UTCTimestamp.extended(event.start)), ("endTime", UTCTimestamp.extended(event.end))],
                titleKey: "subject", detailsKey: "content", locationKey: nil, event: event, lineBreak: "\n")
        case .ics:
            return Self.icsPath(event.publicID)
        }
    }

    /// Google's dates for an event: UTC for a one-off; for a series local times with `ctz` (the
    /// zone) and `recur` (the rule, and its exclusions in UTC), so Google keeps the wall clock.
    static func googleTiming(_ event: Event) -> [(String, String)] {
        guard let recurrence = event.recurrence, let zone = TimeZone(identifier: event.timeZone) else {
            return [("dates", "\(UTCTimestamp.basic(event.start))/\(UTCTimestamp.basic(event.end))")]
        }
        var rule = "RRULE:\(recurrence.rruleValue)"
        if !recurrence.exdates.isEmpty {
            rule += "\nEXDATE:" + recurrence.exdates.sorted().map(UTCTimestamp.basic).joined(separator: ",")
        }
        return [
            ("dates", "\(VTimeZoneWriter.localTime(event.start, in: zone))/\(VTimeZoneWriter.localTime(event.end, in: zone))"),
            ("ctz", event.timeZone), ("recur", rule),
        ]
    }

    /// Site-relative path of an event's `.ics` file.
    public static func icsPath(_ id: PublicID) -> String { "/calendar/\(id.rawValue)/download.ics" }
    /// Site-relative path of an event's own subscription feed (next to its `.ics`).
    public static func eventFeedPath(_ id: PublicID) -> String { "/calendar/\(id.rawValue)/feed.ics" }
    /// Site-relative path of an organizer's feed of listed events.
    public static func organizerFeedPath(_ feedID: PublicID) -> String { "/feed/\(feedID.rawValue)/calendar.ics" }
    /// Site-relative path of an event's widget page (where links of a dead event lead).
    public static func widgetPath(_ id: PublicID) -> String { "/widget/event/\(id.rawValue)" }

    private func build(
        base: String, fixed: [(String, String)], titleKey: String, detailsKey: String, locationKey: String?,
        event: Event, lineBreak: String
    ) -> String {
        let joinURL = event.webinarURL
        let (description, suffix) = event.calendarDetails
        func lineBreaks(_ text: String) -> String {
            lineBreak == "\n" ? text : text.replacingOccurrences(of: "\n", with: lineBreak)
        }

        var query = base
        for (index, (key, value)) in fixed.enumerated() {
            query += "\(index == 0 && base.hasSuffix("?") ? "" : "&")\(key)=\(PercentEncoding.encodeQueryValue(value))"
        }
        let locationPart = locationKey.map { "&\($0)=\(PercentEncoding.encodeQueryValue(joinURL))" } ?? ""
        let titleOverhead = "&\(titleKey)=".utf8.count
        let detailsOverhead = "&\(detailsKey)=".utf8.count
        let suffixLength = PercentEncoding.encodedLength(lineBreaks(suffix))

        // Budget in priority order: dates and the join link (fixed), then the title, then the description.
        var remaining = Self.maximumLinkLength - query.utf8.count - locationPart.utf8.count - titleOverhead
            - detailsOverhead - suffixLength
        let title = Self.shortened(PlainText.normalized(event.title), toEncodedLength: max(remaining, 0))
        remaining -= PercentEncoding.encodedLength(title)
        let shortDescription = Self.shortened(description, toEncodedLength: max(remaining, 0), transform: lineBreaks)

        query += "&\(titleKey)=\(PercentEncoding.encodeQueryValue(title))"
        query += "&\(detailsKey)=\(PercentEncoding.encodeQueryValue(lineBreaks(shortDescription + suffix)))"
        query += locationPart
        return query
    }

    /// The longest prefix of `text` (whole characters, plus "…" when cut) whose encoded form fits.
    static func shortened(_ text: String, toEncodedLength budget: Int, transform: (String) -> String = { $0 }) -> String {
        if PercentEncoding.encodedLength(transform(text)) <= budget { return text }
        let ellipsis = "…"
        let characters = Array(text)
        var low = 0
        var high = characters.count
        // Binary search for the longest prefix that fits together with the ellipsis.
        while low < high {
            let middle = (low + high + 1) / 2
            let candidate = String(characters[..<middle]) + ellipsis
            if PercentEncoding.encodedLength(transform(candidate)) <= budget { low = middle } else { high = middle - 1 }
        }
        if low == 0 { return "" }
        return String(characters[..<low]).trimmingWhitespace() + ellipsis
    }
}
