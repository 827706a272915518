import Core
import Foundation

/// The event page's `schema.org/Event` as JSON-LD. Times carry the event zone's offset and are
/// the same instants as the API's; the join link is the `VirtualLocation`. The JSON is placed raw
/// inside `<script type="application/ld+json">`, where HTML escaping does not apply, so `<`, `>`
/// and `&` (and the JavaScript line separators) are written as `\u` escapes: no title can close
/// the element or start a comment.
///
/// Written by hand rather than with `JSONSerialization`: the keys are ours and fixed, and the
/// serializer (with a date formatter per call) was two fifths of an event's render time.
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
        let zone = TimeZone(identifier: event.timeZone) ?? TimeZone(identifier: "UTC")!
        var members = [
            ("@context", Self.string("https://schema.org")),
            ("@type", Self.string("Event")),
            ("name", Self.string(title)),
        ]
        if !description.isEmpty { members.append(("description", Self.string(description))) }
        members += [
            ("startDate", Self.string(Self.timestamp(start, zone: zone))),
            ("endDate", Self.string(Self.timestamp(end, zone: zone))),
            ("eventAttendanceMode", Self.string("https://schema.org/OnlineEventAttendanceMode")),
            ("eventStatus", Self.string(cancelled ? "https://schema.org/EventCancelled" : "https://schema.org/EventScheduled")),
            ("location", Self.object([("@type", Self.string("VirtualLocation")), ("url", Self.string(event.webinarURL))])),
            ("url", Self.string(pageURL)),
            ("inLanguage", Self.string(language.rawValue)),
        ]
        if let name = organizer.map(PlainText.normalized)?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty {
            members.append(("organizer", Self.object([("@type", Self.string("Organization")), ("name", Self.string(name))])))
        }
        return Self.object(members)
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259) that is also safe as raw text of a `<script>` element.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "<": result += "\\u003c"
            case ">": result += "\\u003e"
            case "&": result += "\\u0026"
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// ISO 8601 with the zone's offset at that instant: `2026-03-10T10:00:00+01:00` (`Z` at zero).
    static func timestamp(_ date: Date, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let local = UTCTimestamp.extended(date.addingTimeInterval(TimeInterval(offset)))
        guard offset != 0 else { return local }
        let minutes = abs(offset) / 60
        let hours = minutes / 60
        let rest = minutes % 60
        return local.dropLast() + (offset < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
