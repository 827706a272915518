import Core
import Foundation

/// IMF-fixdate (`Tue, 01 Dec 2026 15:00:00 GMT`), the only date format HTTP/1.1 senders may use.
enum HTTPDate {
    static func format(epochSeconds: Int64) -> String { UTCTimestamp.httpDate(epochSeconds: epochSeconds) }

    /// Parses an IMF-fixdate back to epoch seconds (for `If-Modified-Since`); nil for anything else.
    static func parse(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)?.epochSeconds
    }
}
