import Core
import Foundation

/// The widget's "when" lines: date and time in the event's own zone, with the zone named, in the
/// widget's language. Foundation's format styles are value types with an internal formatter
/// cache, so this is safe to call from every generator thread at once.
struct WidgetSchedule {
    var dateText: String
    var timeText: String
    var zoneText: String

    init(start: Date, end: Date, timeZoneIdentifier: String, language: WidgetLanguage) {
        let zone = TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(identifier: "UTC")!
        let locale = language.locale
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone

        let date = Date.FormatStyle(date: .complete, time: .omitted, locale: locale, calendar: calendar, timeZone: zone)
        let time = Date.FormatStyle(date: .omitted, time: .shortened, locale: locale, calendar: calendar, timeZone: zone)
        let sameDay = calendar.isDate(start, inSameDayAs: end)
        dateText = sameDay ? start.formatted(date) : "\(start.formatted(date)) – \(end.formatted(date))"
        timeText = "\(start.formatted(time)) – \(end.formatted(time))"
        zoneText = "\(timeZoneIdentifier.replacingOccurrences(of: "_", with: " ")), \(Self.utcOffset(zone, at: start))"
    }

    /// `UTC+01:00` style offset in force at `date` (so summer time is right for that day).
    static func utcOffset(_ zone: TimeZone, at date: Date) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        let sign = seconds < 0 ? "−" : "+"
        let minutes = abs(seconds) / 60
        let hours = minutes / 60
        let rest = minutes % 60
        return "UTC\(sign)\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }
}
