import Foundation

/// Writes the `.ics` file of one event (RFC 5545, `METHOD:PUBLISH`). Pure and deterministic:
/// DTSTAMP is the event's last change, so the same event always gives the same bytes.
public struct ICSWriter: Sendable {
    /// The host part of every UID (`{public_id}@{host}`): stable for the event's life.
    public let uidHost: String

    public init(uidHost: String) {
        self.uidHost = uidHost
    }

    public static let productID = "-//Attendify//Add to Calendar widget//EN"

    public func calendar(for event: Event, reminderMinutes: Int) -> String {
        var lines: [String] = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:\(Self.productID)",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            "UID:\(event.publicID.rawValue)@\(uidHost)",
            "DTSTAMP:\(UTCTimestamp.basic(event.updatedAt))",
            "DTSTART:\(UTCTimestamp.basic(event.start))",
            "DTEND:\(UTCTimestamp.basic(event.end))",
            "SUMMARY:\(ICSText.escape(event.title))",
            "DESCRIPTION:\(ICSText.escape(Self.description(of: event)))",
            "URL:\(Self.uriValue(event.webinarURL))",
            "LOCATION:\(ICSText.escape(event.webinarURL))",
            "SEQUENCE:\(event.sequence)",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            // The alarm is a sub-component, so it comes after all of the event's own properties.
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:\(ICSText.escape(event.title))",
            "TRIGGER:\(Self.trigger(minutesBefore: reminderMinutes))",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        lines = lines.map(ICSText.fold)
        return lines.joined(separator: "\r\n") + "\r\n"
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
