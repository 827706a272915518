/// The organizer's overview: every event with its numbers over one range, ranked and paged.
public struct StatsOverview: Sendable, Equatable {
    public enum SortKey: String, CaseIterable, Sendable {
        case views
        case uniqueVisitors = "unique_visitors"
        case clicks
        case conversionRate = "conversion_rate"
        case title
        case start = "start_datetime"
    }

    public enum Order: String, CaseIterable, Sendable {
        case asc, desc
    }

    public struct Row: Sendable, Equatable {
        public var event: EventSummary
        public var traffic: TrafficTotals
    }

    /// The asked page, in order.
    public var rows: [Row]
    /// Over every event, not only the page.
    public var totals: TrafficTotals
    public var totalEvents: Int

    public static let maximumPageSize = 1_000
    public static let defaultPageSize = 20

    /// Ranks all events (those without traffic too). Ties go to the newest event (highest id) in
    /// either order, so pages never overlap or skip; events without a conversion rate (no views)
    /// come last in either order.
    public init(events: [EventSummary], traffic: [Int64: TrafficTotals], sort: SortKey, order: Order, limit: Int, offset: Int) {
        var all = events.map { Row(event: $0, traffic: traffic[$0.id] ?? TrafficTotals()) }
        let descending = order == .desc
        all.sort { a, b in
            func ranked<T: Comparable>(_ x: T, _ y: T) -> Bool? {
                x == y ? nil : (descending ? x > y : x < y)
            }
            let decided: Bool?
            switch sort {
            case .views: decided = ranked(a.traffic.views, b.traffic.views)
            case .uniqueVisitors: decided = ranked(a.traffic.uniqueVisitors, b.traffic.uniqueVisitors)
            case .clicks: decided = ranked(a.traffic.clicks, b.traffic.clicks)
            case .conversionRate:
                switch (a.traffic.conversionRate, b.traffic.conversionRate) {
                case (let x?, let y?): decided = ranked(x, y)
                case (.some, .none): decided = true
                case (.none, .some): decided = false
                case (.none, .none): decided = nil
                }
            case .title:
                decided = ranked(a.event.title.lowercased(), b.event.title.lowercased()) ?? ranked(a.event.title, b.event.title)
            case .start: decided = ranked(a.event.start, b.event.start)
            }
            return decided ?? (a.event.id > b.event.id)
        }
        totals = all.reduce(TrafficTotals()) { $0 + $1.traffic }
        totalEvents = all.count
        rows = Array(all.dropFirst(offset).prefix(limit))
    }
}
