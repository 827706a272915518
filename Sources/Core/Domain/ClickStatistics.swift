import Foundation

/// An event's click statistics over a range of days in one time zone, computed from hourly
/// rollup buckets (never from raw clicks): total, per provider, and a day-by-day timeline with
/// empty days present as zero.
public struct ClickStatistics: Equatable, Sendable {
    public struct Day: Equatable, Sendable {
        public var date: String  // YYYY-MM-DD in the requested zone
        public var count: Int
    }

    public var total: Int
    public var byType: [String: Int]
    public var timeline: [Day]

    /// The longest range one request may ask for.
    public static let maximumDays = 366

    /// A validated day range in a zone, with the UTC instants that bound it.
    public struct Range: Sendable, Equatable {
        public var firstDay: DateComponents
        public var dayCount: Int
        public var zone: TimeZone
        public var start: Date
        public var end: Date
    }

    /// Builds the range `from...to` (inclusive dates `YYYY-MM-DD`); defaults: the 30 days ending today.
    public static func range(from: String?, to: String?, zone: TimeZone, today: Date) throws(ValidationFailure) -> Range {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func parse(_ text: String, field: String) throws(ValidationFailure) -> Date {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard text.count == 10, parts.count == 3,
                let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
                calendar.component(.day, from: date) == parts[2]
            else { throw ValidationFailure(field: field, message: "must be a date written as YYYY-MM-DD") }
            return date
        }
        let last = try to.map { text throws(ValidationFailure) in try parse(text, field: "to") } ?? calendar.startOfDay(for: today)
        let first = try from.map { text throws(ValidationFailure) in try parse(text, field: "from") }
            ?? calendar.date(byAdding: .day, value: -29, to: last)!
        guard first <= last else { throw ValidationFailure(field: "from", message: "must not be after to") }
        let days = (calendar.dateComponents([.day], from: first, to: last).day ?? 0) + 1
        guard days <= maximumDays else {
            throw ValidationFailure(field: "to", message: "the range may span at most \(maximumDays) days")
        }
        let end = calendar.date(byAdding: .day, value: 1, to: last)!
        return Range(
            firstDay: calendar.dateComponents([.year, .month, .day], from: first), dayCount: days, zone: zone, start: first,
            end: end)
    }

    /// Folds hourly buckets into the range's days. Each bucket counts on the local day its start
    /// hour falls on (exact for zones with whole-hour offsets; half-hour zones attribute a bucket
    /// to the day its first minute belongs to).
    public init(buckets: [ClickBucket], range: Range, offeredTypes: [ProviderType]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = range.zone
        var byType: [String: Int] = [:]
        for type in offeredTypes { byType[type.rawValue] = 0 }
        var perDay = [Int](repeating: 0, count: range.dayCount)
        var total = 0
        for bucket in buckets {
            let instant = Date(epochSeconds: bucket.bucketStart)
            guard instant >= range.start, instant < range.end else { continue }
            let dayIndex = calendar.dateComponents([.day], from: range.start, to: calendar.startOfDay(for: instant)).day ?? -1
            guard perDay.indices.contains(dayIndex) else { continue }
            perDay[dayIndex] += bucket.count
            byType[bucket.type, default: 0] += bucket.count
            total += bucket.count
        }
        var timeline: [Day] = []
        var day = range.start
        for count in perDay {
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            timeline.append(Day(date: String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), count: count))
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        self.total = total
        self.byType = byType
        self.timeline = timeline
    }
}
