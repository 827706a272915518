import Foundation

extension Recurrence {
    /// The RFC 5545 RRULE value (`FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=8`): the same text
    /// goes into the `.ics`, the feeds and Google's `recur=` parameter. `UNTIL` is in UTC, as RFC
    /// 5545 requires when DTSTART carries a TZID.
    public var rruleValue: String {
        var parts = ["FREQ=\(frequency.rawValue.uppercased())"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if !byDay.isEmpty { parts.append("BYDAY=\(byDay.map(\.description).joined(separator: ","))") }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=\(byMonthDay.map(String.init).joined(separator: ","))") }
        switch end {
        case .count(let count): parts.append("COUNT=\(count)")
        case .until(let until): parts.append("UNTIL=\(UTCTimestamp.basic(until))")
        }
        return parts.joined(separator: ";")
    }
}

/// Writes the VTIMEZONE a series' local times refer to, from the system time-zone database: one
/// observance per offset change between a year before the first session and the last one, each
/// with its exact local start, offsets and abbreviation. A zone without changes (Asia/Kathmandu
/// today) gets one STANDARD observance. Clients then compute every session themselves, exactly.
public enum VTimeZoneWriter {
    public static func lines(for zone: TimeZone, from first: Date, through last: Date) -> [String] {
        let identifier = zone.identifier
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(identifier)"]
        var transitions: [(at: Date, from: Int, to: Int)] = []
        var cursor = first.addingTimeInterval(-366 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= last, transitions.count < 64 {
            let from = zone.secondsFromGMT(for: next.addingTimeInterval(-1))
            let to = zone.secondsFromGMT(for: next)
            if from != to { transitions.append((next, from, to)) }
            cursor = next
        }
        if transitions.isEmpty {
            let offset = zone.secondsFromGMT(for: first)
            lines += observance(
                "STANDARD", start: "19700101T000000", from: offset, to: offset,
                name: zone.abbreviation(for: first) ?? identifier)
        } else {
            for transition in transitions {
                let kind = zone.isDaylightSavingTime(for: transition.at) ? "DAYLIGHT" : "STANDARD"
                // DTSTART is the local time the change happens at, on the clock before it.
                let local = transition.at.addingTimeInterval(TimeInterval(transition.from))
                lines += observance(
                    kind, start: localBasic(local), from: transition.from, to: transition.to,
                    name: zone.abbreviation(for: transition.at) ?? identifier)
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    private static func observance(_ kind: String, start: String, from: Int, to: Int, name: String) -> [String] {
        ["BEGIN:\(kind)", "DTSTART:\(start)", "TZOFFSETFROM:\(offset(from))", "TZOFFSETTO:\(offset(to))",
         "TZNAME:\(ICSText.escape(name))", "END:\(kind)"]
    }

    /// `+0100`, `-0330`, `+0545`; seconds (historic zones only) are written as RFC 5545 allows.
    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let value = abs(seconds)
        let hours = value / 3_600
        let minutes = value % 3_600 / 60
        let rest = value % 60
        let base = "\(sign)\(hours < 10 ? "0" : "")\(hours)\(minutes < 10 ? "0" : "")\(minutes)"
        return rest == 0 ? base : base + "\(rest < 10 ? "0" : "")\(rest)"
    }

    /// `yyyyMMdd'T'HHmmss` of an instant already shifted to local time (read as UTC).
    static func localBasic(_ shifted: Date) -> String {
        String(UTCTimestamp.basic(shifted).dropLast())  // the basic form without its "Z"
    }

    /// A local wall-clock time in `zone`, in the basic form DTSTART;TZID= takes.
    public static func localTime(_ instant: Date, in zone: TimeZone) -> String {
        localBasic(instant.addingTimeInterval(TimeInterval(zone.secondsFromGMT(for: instant))))
    }
}
