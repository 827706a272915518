import Core
import Foundation

/// The event page's `schema.org/Event` as JSON-LD. Times carry the event zone's offset and are
/// the same instants as the API's; the join link is the `VirtualLocation`. The JSON is placed raw
/// inside `<script type="application/ld+json">`, where HTML escaping does not apply, so `<`, `>`
/// and `&` (and the JavaScript line separators) are written as `\u` escapes: no title can close
/// the element or start a comment.
struct EventStructuredData {
    var event: Event
    var title: String
    var description: String
    var start: Date
    var end: Date
    var cancelled: Bool
    var organizer: String?
    var pageURL: String
    var language: WidgetLanguage

    var json: String {
        var object: [String: Any] = [
            "@context": "https://schema.org",
            "@type": "Event",
            "name": title,
            "startDate": Self.timestamp(start, zone: event.timeZone),
            "endDate": Self.timestamp(end, zone: event.timeZone),
            "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
            "eventStatus": cancelled ? "https://schema.org/EventCancelled" : "https://schema.org/EventScheduled",
            "location": ["@type": "VirtualLocation", "url": event.webinarURL],
            "url": pageURL,
            "inLanguage": language.rawValue,
        ]
        if !description.isEmpty { object["description"] = description }
        if let name = organizer.map(PlainText.normalized)?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty {
            object["organizer"] = ["@type": "Organization", "name": name]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        var text = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// ISO 8601 with the zone's offset at that instant: `2026-03-10T10:00:00+01:00`.
    static func timestamp(_ date: Date, zone identifier: String) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
