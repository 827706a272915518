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

/// Writes the VTIMEZONE a series' local times refer to, from the system time-zone database.
///
/// A zone whose changes follow yearly rules over the series (every EU and US zone: "the last
/// Sunday of March at 02:00") is written as those rules, anchored in 1970, so the block is the
/// same in every file that names the zone. That matters: some readers (Python's vobject) keep the
/// first VTIMEZONE they see per TZID for the whole process, and a block covering only another
/// series' years would shift this one's sessions. Zones with irregular changes get one observance
/// per change between a year before the first session and a year after the last; a zone without
/// changes (Asia/Kathmandu today) gets one STANDARD observance.
public enum VTimeZoneWriter {
    /// One offset change: when, and the offsets on either side.
    struct Transition {
        var at: Date
        var from: Int
        var to: Int
        var daylight: Bool
    }

    public static func lines(for zone: TimeZone, from first: Date, through last: Date) -> [String] {
        let identifier = zone.identifier
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(identifier)"]
        var transitions: [Transition] = []
        var cursor = first.addingTimeInterval(-366 * 86_400)
        let horizon = last.addingTimeInterval(366 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= horizon, transitions.count < 64 {
            let from = zone.secondsFromGMT(for: next.addingTimeInterval(-1))
            let to = zone.secondsFromGMT(for: next)
            if from != to { transitions.append(Transition(at: next, from: from, to: to, daylight: zone.isDaylightSavingTime(for: next))) }
            cursor = next
        }
        if transitions.isEmpty {
            let offset = zone.secondsFromGMT(for: first)
            lines += observance(
                "STANDARD", start: "19700101T000000", from: offset, to: offset, rule: nil,
                name: zone.abbreviation(for: first) ?? identifier)
        } else if let yearly = yearlyRules(transitions) {
            for rule in yearly {
                lines += observance(
                    rule.transition.daylight ? "DAYLIGHT" : "STANDARD", start: rule.start1970, from: rule.transition.from,
                    to: rule.transition.to, rule: rule.rrule, name: zone.abbreviation(for: rule.transition.at) ?? identifier)
            }
        } else {
            for transition in transitions {
                // DTSTART is the local time the change happens at, on the clock before it.
                lines += observance(
                    transition.daylight ? "DAYLIGHT" : "STANDARD", start: localBasic(transition.at.addingTimeInterval(TimeInterval(transition.from))),
                    from: transition.from, to: transition.to, rule: nil, name: zone.abbreviation(for: transition.at) ?? identifier)
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    /// The changes as yearly rules, when every one of them fits: changes alternate between two
    /// kinds, each kind happens once a year in the same month, on the same weekday of the same
    /// week (or the last one), at the same local time, between the same offsets. Nil otherwise.
    static func yearlyRules(_ transitions: [Transition]) -> [(transition: Transition, rrule: String, start1970: String)]? {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        struct Shape: Hashable {
            var month, weekday, week, hour, minute, second, from, to: Int
        }
        var shapes: [Int: (shape: Shape, first: Transition, years: [Int])] = [:]  // keyed by the offset changed to
        for transition in transitions {
            let local = transition.at.addingTimeInterval(TimeInterval(transition.from))
            let c = utc.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: local)
            guard let year = c.year, let month = c.month, let day = c.day, let weekday = c.weekday else { return nil }
            let length = LocalDate.daysIn(year: year, month: month)
            // The last week is named "last" (-1): "the last Sunday" is the same rule every year,
            // while it is sometimes the 4th and sometimes the 5th.
            let week = day > length - 7 ? -1 : (day - 1) / 7 + 1
            let shape = Shape(
                month: month, weekday: weekday, week: week, hour: c.hour ?? 0, minute: c.minute ?? 0, second: c.second ?? 0,
                from: transition.from, to: transition.to)
            if let known = shapes[transition.to] {
                guard known.shape == shape, known.years.last == year - 1 else { return nil }
                shapes[transition.to]?.years.append(year)
            } else {
                shapes[transition.to] = (shape, transition, [year])
            }
        }
        guard shapes.count == 2 else { return nil }
        return shapes.values.sorted { $0.shape.month < $1.shape.month }.map { entry in
            let shape = entry.shape
            guard let weekday = Recurrence.Weekday(calendarWeekday: shape.weekday) else { return (entry.first, "", "") }
            // The same rule's date in 1970, the anchor every file shares.
            let firstOfMonth = LocalDate(year: 1970, month: shape.month, day: 1)
            let firstMatch = 1 + (weekday.isoIndex - firstOfMonth.isoWeekdayIndex + 7) % 7
            let length = LocalDate.daysIn(year: 1970, month: shape.month)
            let day = shape.week == -1
                ? stride(from: firstMatch, through: length, by: 7).reversed().first!
                : firstMatch + 7 * (shape.week - 1)
            let start = String(format: "1970%02d%02dT%02d%02d%02d", shape.month, day, shape.hour, shape.minute, shape.second)
            return (entry.first, "FREQ=YEARLY;BYMONTH=\(shape.month);BYDAY=\(shape.week)\(weekday.rawValue)", start)
        }
    }

    private static func observance(_ kind: String, start: String, from: Int, to: Int, rule: String?, name: String) -> [String] {
        ["BEGIN:\(kind)", "DTSTART:\(start)"] + (rule.map { ["RRULE:\($0)"] } ?? []) + [
            "TZOFFSETFROM:\(offset(from))", "TZOFFSETTO:\(offset(to))", "TZNAME:\(ICSText.escape(name))", "END:\(kind)",
        ]
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
