import Core
import Foundation

/// IMF-fixdate (`Tue, 01 Dec 2026 15:00:00 GMT`), the only date format HTTP/1.1 senders may use.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(epochSeconds: Int64) -> String {
        let stamp = UTCTimestamp.extended(Date(epochSeconds: epochSeconds))  // 2026-12-01T15:00:00Z
        let parts = stamp.split(whereSeparator: { "-T:Z".contains($0) }).map(String.init)
        let days = Int(epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400)
        let weekday = weekdays[((days % 7) + 7) % 7]
        let month = months[(Int(parts[1]) ?? 1) - 1]
        return "\(weekday), \(parts[2]) \(month) \(parts[0]) \(parts[3]):\(parts[4]):\(parts[5]) GMT"
    }

    /// Parses an IMF-fixdate back to epoch seconds (for `If-Modified-Since`); nil for anything else.
    static func parse(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)?.epochSeconds
    }
}
