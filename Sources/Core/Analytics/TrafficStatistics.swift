import Foundation

/// An event's views, visitors and conversion over a range of days in one zone, from the hourly
/// traffic rollup and the daily visitor counts: totals, day by day, and per placement.
public struct TrafficStatistics: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var date: String
        public var views: Int
        public var uniqueVisitors: Int
        public var clicks: Int
        public var conversionRate: Double? { ConversionRate.of(clicks: clicks, views: views) }
    }

    public struct PlacementTotals: Sendable, Equatable {
        public var views: Int
        public var clicks: Int

        public init(views: Int, clicks: Int) {
            self.views = views
            self.clicks = clicks
        }

        public var conversionRate: Double? { ConversionRate.of(clicks: clicks, views: views) }
    }

    public var views: Int
    public var uniqueVisitors: Int
    public var timeline: [Day]
    /// By placement name: every current placement, zeros included.
    public var byPlacement: [String: PlacementTotals]

    /// `visitors` maps UTC day starts to that day's unique visitor count; the timeline gives
    /// each local date the count of the UTC day of the same date.
    public init(buckets: [TrafficBucket], visitors: [Int64: Int], placements: [Placement], range: ClickStatistics.Range) {
        let days = ClickStatistics.DayBoundaries(range: range)
        var views = [Int](repeating: 0, count: range.dayCount)
        var clicks = [Int](repeating: 0, count: range.dayCount)
        var perPlacement: [Int64: PlacementTotals] = [:]
        for placement in placements { perPlacement[placement.id] = PlacementTotals(views: 0, clicks: 0) }
        var totalViews = 0
        for bucket in buckets {
            guard let day = days.index(of: bucket.bucketStart) else { continue }
            views[day] += bucket.views
            clicks[day] += bucket.clicks
            totalViews += bucket.views
            if perPlacement[bucket.placementID] != nil {
                perPlacement[bucket.placementID]!.views += bucket.views
                perPlacement[bucket.placementID]!.clicks += bucket.clicks
            }
        }
        var timeline: [Day] = []
        var totalVisitors = 0
        for (index, date) in days.dates.enumerated() {
            let unique = visitors[days.utcDayStarts[index]] ?? 0
            totalVisitors += unique
            timeline.append(Day(date: date, views: views[index], uniqueVisitors: unique, clicks: clicks[index]))
        }
        var byName: [String: PlacementTotals] = [:]
        for placement in placements { byName[placement.name] = perPlacement[placement.id] }
        self.views = totalViews
        self.uniqueVisitors = totalVisitors
        self.timeline = timeline
        self.byPlacement = byName
    }
}

extension ClickStatistics {
    /// The local days of a range: their dates, their starts as instants, and the UTC midnight of
    /// the same date (where that day's visitors are counted).
    public struct DayBoundaries: Sendable {
        public var dates: [String] = []
        /// Start of each local day, then the end of the last.
        public var starts: [Int64] = []
        public var utcDayStarts: [Int64] = []

        public init(range: Range) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = range.zone
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            var day = range.start
            for index in 0...range.dayCount {
                starts.append(day.epochSeconds)
                if index < range.dayCount {
                    let parts = calendar.dateComponents([.year, .month, .day], from: day)
                    dates.append(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!))
                    utcDayStarts.append(utc.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day))!.epochSeconds)
                }
                day = calendar.date(byAdding: .day, value: 1, to: day)!
            }
        }

        /// The local day an instant falls on, or nil outside the range.
        public func index(of instant: Int64) -> Int? {
            guard let first = starts.first, let last = starts.last, instant >= first, instant < last else { return nil }
            // Binary search: the last start <= instant.
            var low = 0
            var high = starts.count - 1
            while high - low > 1 {
                let middle = (low + high) / 2
                if starts[middle] <= instant { low = middle } else { high = middle }
            }
            return low
        }

        /// The window the rollups are read for.
        public var window: TrafficWindow {
            TrafficWindow(start: starts.first!, end: starts.last!, firstDay: utcDayStarts.first!, lastDay: utcDayStarts.last!)
        }
    }
}
