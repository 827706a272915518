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
            let failure = ValidationFailure(field: field, message: "must be a date written as YYYY-MM-DD, from 1970 to 9999")
            let bytes = Array(text.utf8)
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) })
            else { throw failure }
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3, (1970...9999).contains(parts[0]), (1...12).contains(parts[1]), parts[2] >= 1,
                let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
                calendar.component(.day, from: date) == parts[2], calendar.component(.month, from: date) == parts[1]
            else { throw failure }
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
    /// to the day its first minute belongs to). Day boundaries are computed once per day, then the
    /// buckets (sorted by time) are walked once: cost grows with days plus buckets, cheaply.
    public init(buckets: [ClickBucket], range: Range, offeredTypes: [ProviderType]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = range.zone
        var byType: [String: Int] = [:]
        for type in offeredTypes { byType[type.rawValue] = 0 }
        var boundaries: [Int64] = []  // start of each day, then the end of the last
        boundaries.reserveCapacity(range.dayCount + 1)
        var day = range.start
        for _ in 0...range.dayCount {
            boundaries.append(day.epochSeconds)
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        var perDay = [Int](repeating: 0, count: range.dayCount)
        var total = 0
        var dayIndex = 0
        for bucket in buckets.sorted(by: { $0.bucketStart < $1.bucketStart }) {
            guard bucket.bucketStart >= boundaries[0] else { continue }
            while dayIndex < range.dayCount, bucket.bucketStart >= boundaries[dayIndex + 1] { dayIndex += 1 }
            guard dayIndex < range.dayCount else { break }
            perDay[dayIndex] += bucket.count
            byType[bucket.type, default: 0] += bucket.count
            total += bucket.count
        }
        var timeline: [Day] = []
        day = range.start
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
