import Foundation

/// How a series repeats: a small, closed subset of RFC 5545's RRULE that every calendar renders
/// the same way. The wall-clock time of the first session is kept in the event's own zone, so a
/// weekly 10:00 in Warsaw stays 10:00 on both sides of a daylight-saving change (09:00 UTC in
/// winter, 08:00 UTC in summer).
///
/// The subset: `daily`, `weekly` (on weekdays) and `monthly` (on month days, or on the nth
/// weekday: "2nd Tuesday", "last Friday"), an `interval`, an end by `count` or `until` (one of
/// them, so a series is always finite), and excluded session starts. The first session is the
/// event's own start and must be one the rule produces: RFC 5545 counts DTSTART as a session
/// even when the rule would not, and clients disagree on what to do with one that does not fit.
public struct Recurrence: Equatable, Sendable {
    public enum Frequency: String, CaseIterable, Sendable {
        case daily, weekly, monthly
    }

    /// RFC 5545 weekday codes, in ISO order (Monday first, the default week start).
    public enum Weekday: String, CaseIterable, Sendable, Comparable {
        case MO, TU, WE, TH, FR, SA, SU

        /// Foundation's weekday number (Sunday = 1).
        public var calendarWeekday: Int {
            switch self {
            case .SU: 1
            case .MO: 2
            case .TU: 3
            case .WE: 4
            case .TH: 5
            case .FR: 6
            case .SA: 7
            }
        }

        public init?(calendarWeekday: Int) {
            guard let day = Self.allCases.first(where: { $0.calendarWeekday == calendarWeekday }) else { return nil }
            self = day
        }

        var isoIndex: Int { Self.allCases.firstIndex(of: self)! }

        public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.isoIndex < rhs.isoIndex }
    }

    /// A `by_day` entry: a weekday, and for monthly rules which one of the month (1...4 from the
    /// start, -1 the last). Written `TU`, `2TU`, `-1FR`.
    public struct DayRule: Equatable, Hashable, Sendable, CustomStringConvertible {
        public var weekday: Weekday
        public var ordinal: Int?

        public init(_ weekday: Weekday, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        /// Parses `TU`, `2TU`, `-1FR`; nil for anything else.
        public init?(_ text: String) {
            guard text.count >= 2, let weekday = Weekday(rawValue: String(text.suffix(2))) else { return nil }
            let prefix = text.dropLast(2)
            if prefix.isEmpty {
                self.init(weekday)
                return
            }
            guard let ordinal = Int(prefix), Self.ordinals.contains(ordinal), !prefix.hasPrefix("+") else { return nil }
            self.init(weekday, ordinal: ordinal)
        }

        /// 1st to 4th, or the last: a 5th weekday exists only in some months.
        public static let ordinals: Set<Int> = [1, 2, 3, 4, -1]

        public var description: String { (ordinal.map(String.init) ?? "") + weekday.rawValue }
    }

    public enum End: Equatable, Sendable {
        /// This many sessions, excluded ones included (as RFC 5545 counts).
        case count(Int)
        /// No session starts after this instant.
        case until(Date)
    }

    public var frequency: Frequency
    public var interval: Int
    public var byDay: [DayRule]
    public var byMonthDay: [Int]
    public var end: End
    /// Session starts that do not take place (each must be one the rule produces).
    public var exdates: [Date]

    public init(
        frequency: Frequency, interval: Int = 1, byDay: [DayRule] = [], byMonthDay: [Int] = [], end: End, exdates: [Date] = []
    ) {
        self.frequency = frequency
        self.interval = interval
        self.byDay = byDay
        self.byMonthDay = byMonthDay
        self.end = end
        self.exdates = exdates
    }

    /// Bounds that keep a rule from exploding: the `.ics`, the feeds and the widget all expand it.
    public static let maximumOccurrences = 500
    public static let maximumSpanYears = 5
    public static let intervalRange = 1...99
    public static let maximumExdates = 500
}
