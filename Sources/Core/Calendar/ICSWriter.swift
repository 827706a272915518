import Foundation

/// Writes the calendars of the public site (RFC 5545, `METHOD:PUBLISH`): one event's `.ics`
/// download, and the subscription feeds (an event's own, an organizer's). Pure and deterministic:
/// DTSTAMP and LAST-MODIFIED are the event's last change, so the same events always give the same
/// bytes, and a feed's ETag only changes when a subscriber has something new to fetch.
public struct ICSWriter: Sendable {
    /// The host part of every UID (`{public_id}@{host}`): stable for the event's life, equal in
    /// the download and the feeds, so a client holding both knows they are one event.
    public let uidHost: String

    public init(uidHost: String) {
        self.uidHost = uidHost
    }

    public static let productID = "-//Attendify//Add to Calendar widget//EN"
    /// How often subscribers are asked to poll (RFC 7986 REFRESH-INTERVAL, and the older
    /// X-PUBLISHED-TTL that Outlook and Apple read). An hour: moves and cancellations reach
    /// attendees the same day, and a poll of an unchanged feed is a 304.
    public static let refreshInterval = "PT1H"

    /// One event of a calendar, with the texts of its widget's language.
    public struct Entry: Sendable {
        public var event: Event
        public var reminderMinutes: Int
        public var strings: WidgetStrings

        public init(event: Event, reminderMinutes: Int, language: WidgetLanguage) {
            self.event = event
            self.reminderMinutes = reminderMinutes
            self.strings = WidgetStrings.for(language)
        }
    }

    /// The `.ics` download: one event, no calendar name (it is imported, not subscribed to).
    public func calendar(for entry: Entry) -> String {
        Self.finish(Self.header + Self.timeZones(for: [entry]) + vevent(entry) + ["END:VCALENDAR"])
    }

    /// The download of an event in English.
    public func calendar(for event: Event, reminderMinutes: Int) -> String {
        calendar(for: Entry(event: event, reminderMinutes: reminderMinutes, language: .en))
    }

    /// A subscription feed: a named calendar that tells clients how often to come back.
    public func feed(name: String, description: String, entries: [Entry]) -> String {
        let name = ICSText.escape(name)
        let about = ICSText.escape(description)
        var lines = Self.header
        lines += [
            "X-WR-CALNAME:\(name)", "NAME:\(name)", "X-WR-CALDESC:\(about)", "DESCRIPTION:\(about)",
            "REFRESH-INTERVAL;VALUE=DURATION:\(Self.refreshInterval)", "X-PUBLISHED-TTL:\(Self.refreshInterval)",
        ]
        lines += Self.timeZones(for: entries)
        for entry in entries { lines += vevent(entry) }
        lines.append("END:VCALENDAR")
        return Self.finish(lines)
    }

    private static let header = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(productID)", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]

    /// One VTIMEZONE per zone a series of `entries` keeps its wall-clock time in, covering all
    /// of its sessions; one-off events are written in UTC and need none.
    static func timeZones(for entries: [Entry]) -> [String] {
        var spans: [String: (from: Date, to: Date)] = [:]
        for entry in entries where entry.event.recurrence != nil {
            let event = entry.event
            let span = spans[event.timeZone] ?? (event.start, event.lastEnd)
            spans[event.timeZone] = (min(span.from, event.start), max(span.to, event.lastEnd))
        }
        return spans.keys.sorted().flatMap { identifier -> [String] in
            guard let zone = TimeZone(identifier: identifier), let span = spans[identifier] else { return [] }
            return VTimeZoneWriter.lines(for: zone, from: span.from, through: span.to)
        }
    }

    /// DTSTART/DTEND (and the rule) of an event: UTC for a one-off; for a series the local
    /// wall-clock time with its TZID, so every session keeps that time across offset changes.
    static func timing(_ event: Event) -> [String] {
        guard let recurrence = event.recurrence, let zone = TimeZone(identifier: event.timeZone) else {
            return ["DTSTART:\(UTCTimestamp.basic(event.start))", "DTEND:\(UTCTimestamp.basic(event.end))"]
        }
        let tzid = "TZID=\(event.timeZone)"
        var lines = [
            "DTSTART;\(tzid):\(VTimeZoneWriter.localTime(event.start, in: zone))",
            "DTEND;\(tzid):\(VTimeZoneWriter.localTime(event.end, in: zone))",
            "RRULE:\(recurrence.rruleValue)",
        ]
        if !recurrence.exdates.isEmpty {
            let dates = recurrence.exdates.sorted().map { VTimeZoneWriter.localTime($0, in: zone) }
            lines.append("EXDATE;\(tzid):\(dates.joined(separator: ","))")
        }
        return lines
    }

    private static func finish(_ lines: [String]) -> String {
        lines.map(ICSText.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// One VEVENT. A cancelled event says so three ways, because clients differ in what they
    /// show: STATUS:CANCELLED, a title prefix, and a first line in the details; it no longer
    /// blocks time and carries no reminder.
    private func vevent(_ entry: Entry) -> [String] {
        let event = entry.event
        let cancelled = event.status == .cancelled
        let title = PlainText.normalized(event.title)
        let summary = cancelled ? entry.strings.cancelledTitlePrefix + title : title
        var details = Self.description(of: event)
        if let recording = event.recordingURL { details += "\n\n\(entry.strings.recordingLink): \(recording)" }
        if cancelled { details = entry.strings.cancelledNotice + (details.isEmpty ? "" : "\n\n" + details) }
        var lines = [
            "BEGIN:VEVENT",
            "UID:\(event.publicID.rawValue)@\(uidHost)",
            "DTSTAMP:\(UTCTimestamp.basic(event.updatedAt))",
            "CREATED:\(UTCTimestamp.basic(event.createdAt))",
            "LAST-MODIFIED:\(UTCTimestamp.basic(event.updatedAt))",
        ] + Self.timing(event) + [
            "SUMMARY:\(ICSText.escape(summary))",
            "DESCRIPTION:\(ICSText.escape(details))",
            "URL:\(Self.uriValue(event.webinarURL))",
            "LOCATION:\(ICSText.escape(event.webinarURL))",
            "SEQUENCE:\(event.sequence)",
            "STATUS:\(cancelled ? "CANCELLED" : "CONFIRMED")",
            "TRANSP:\(cancelled ? "TRANSPARENT" : "OPAQUE")",
        ]
        if !cancelled {
            // The alarm is a sub-component, so it comes after all of the event's own properties.
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "DESCRIPTION:\(ICSText.escape(title))",
                "TRIGGER:\(Self.trigger(minutesBefore: entry.reminderMinutes))",
                "END:VALARM",
            ]
        }
        lines.append("END:VEVENT")
        return lines
    }

    /// DESCRIPTION: the event's calendar details (description, then the webinar link).
    public static func description(of event: Event) -> String {
        let details = event.calendarDetails
        return details.description + details.joinSuffix
    }

    static func trigger(minutesBefore minutes: Int) -> String {
        minutes == 0 ? "PT0M" : "-PT\(minutes)M"
    }

    /// URL values are URIs, not TEXT: no escaping applies, but a URI can hold no control characters
    /// or spaces, so any that slipped through are percent-encoded rather than breaking the line.
    static func uriValue(_ url: String) -> String {
        var result = ""
        for scalar in url.unicodeScalars {
            if scalar.value <= 0x20 || scalar.value == 0x7F {
                result += String(format: "%%%02X", scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
