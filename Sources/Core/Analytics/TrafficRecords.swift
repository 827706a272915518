import Foundation

/// Rollup rows and totals the statistics are computed from (never from raw rows).

/// Views and clicks of one event through one placement (0: the event's own widget) in the hour
/// starting at `bucketStart`.
public struct TrafficBucket: Sendable, Equatable {
    public var bucketStart: Int64
    public var placementID: Int64
    public var views: Int
    public var clicks: Int

    public init(bucketStart: Int64, placementID: Int64, views: Int, clicks: Int) {
        self.bucketStart = bucketStart
        self.placementID = placementID
        self.views = views
        self.clicks = clicks
    }
}

/// One event's numbers over a range.
public struct TrafficTotals: Sendable, Equatable {
    public var views: Int
    public var clicks: Int
    /// Sum of the daily unique visitor counts (a visitor on two days counts twice).
    public var uniqueVisitors: Int

    public init(views: Int = 0, clicks: Int = 0, uniqueVisitors: Int = 0) {
        self.views = views
        self.clicks = clicks
        self.uniqueVisitors = uniqueVisitors
    }

    public static func + (lhs: TrafficTotals, rhs: TrafficTotals) -> TrafficTotals {
        TrafficTotals(views: lhs.views + rhs.views, clicks: lhs.clicks + rhs.clicks, uniqueVisitors: lhs.uniqueVisitors + rhs.uniqueVisitors)
    }

    public var conversionRate: Double? { ConversionRate.of(clicks: clicks, views: views) }
}

public enum ConversionRate {
    /// Clicks per view, rounded to four decimals; nil without views (there is nothing to convert).
    public static func of(clicks: Int, views: Int) -> Double? {
        guard views > 0 else { return nil }
        return (Double(clicks) / Double(views) * 10_000).rounded() / 10_000
    }
}

/// The part of an event the organizer overview lists.
public struct EventSummary: Sendable, Equatable {
    public var id: Int64
    public var publicID: PublicID
    public var title: String
    public var start: Date
    public var status: EventStatus

    public init(id: Int64, publicID: PublicID, title: String, start: Date, status: EventStatus) {
        self.id = id
        self.publicID = publicID
        self.title = title
        self.start = start
        self.status = status
    }
}

/// A statistics range as the rollups are read: the instants `[start, end)` (local midnights of
/// the asked zone), and the UTC days `firstDay...lastDay` whose unique visitor counts belong to
/// it (visitors are counted per UTC day: the day of the secret).
public struct TrafficWindow: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var firstDay: Int64
    public var lastDay: Int64

    public init(start: Int64, end: Int64, firstDay: Int64, lastDay: Int64) {
        self.start = start
        self.end = end
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// `[start, end)` split for the daily rollup: the whole UTC days inside it, and the hours at
    /// either edge that only the hourly rollup can give (none when the zone is UTC). Reading it
    /// this way costs days plus at most two partial days per event, whatever the traffic.
    public var split: (days: Range<Int64>, hours: [Range<Int64>]) {
        let firstWhole = TrafficTime.dayStart(start) == start ? start : TrafficTime.dayStart(start) + 86_400
        let lastWhole = TrafficTime.dayStart(end)
        guard firstWhole < lastWhole else { return (firstWhole..<firstWhole, [start..<end]) }
        return (firstWhole..<lastWhole, [start..<firstWhole, lastWhole..<end].filter { !$0.isEmpty })
    }
}
