/// Bodies of the statistics routes.

/// A conversion rate: clicks per view, or `null` when there were no views (written out, not
/// left away: clients read the same keys every time).
struct Rate: Encodable {
    var value: Double?

    init(_ value: Double?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

struct StatsResponse: Encodable {
    struct Day: Encodable {
        var date: String
        var count: Int
    }

    var totalClicks: Int
    var clicksByType: [String: Int]
    var clicksTimeline: [Day]
    var from: String
    var to: String
    var tz: String
    var views: Int
    var uniqueVisitors: Int
    var conversionRate: Rate
    var viewsTimeline: [TrafficDay]
    var byPlacement: [String: PlacementTraffic]

    enum CodingKeys: String, CodingKey {
        case from, to, tz, views
        case totalClicks = "total_clicks"
        case clicksByType = "clicks_by_type"
        case clicksTimeline = "clicks_timeline"
        case uniqueVisitors = "unique_visitors"
        case conversionRate = "conversion_rate"
        case viewsTimeline = "views_timeline"
        case byPlacement = "by_placement"
    }
}

struct TrafficDay: Encodable {
    var date: String
    var views: Int
    var uniqueVisitors: Int
    var clicks: Int
    var conversionRate: Rate

    enum CodingKeys: String, CodingKey {
        case date, views, clicks
        case uniqueVisitors = "unique_visitors"
        case conversionRate = "conversion_rate"
    }
}

struct PlacementTraffic: Encodable {
    var views: Int
    var clicks: Int
    var conversionRate: Rate

    enum CodingKeys: String, CodingKey {
        case views, clicks
        case conversionRate = "conversion_rate"
    }
}

struct TrafficTotalsResponse: Encodable {
    var views: Int
    var uniqueVisitors: Int
    var clicks: Int
    var conversionRate: Rate

    enum CodingKeys: String, CodingKey {
        case views, clicks
        case uniqueVisitors = "unique_visitors"
        case conversionRate = "conversion_rate"
    }
}

struct OverviewResponse: Encodable {
    struct Row: Encodable {
        var id: Int64
        var publicID: String
        var title: String
        var startDatetime: String
        var status: String
        var views: Int
        var uniqueVisitors: Int
        var clicks: Int
        var conversionRate: Rate

        enum CodingKeys: String, CodingKey {
            case id, title, status, views, clicks
            case publicID = "public_id"
            case startDatetime = "start_datetime"
            case uniqueVisitors = "unique_visitors"
            case conversionRate = "conversion_rate"
        }
    }

    var from: String
    var to: String
    var tz: String
    var sort: String
    var order: String
    var limit: Int
    var offset: Int
    var totalEvents: Int
    var totals: TrafficTotalsResponse
    var events: [Row]

    enum CodingKeys: String, CodingKey {
        case from, to, tz, sort, order, limit, offset, totals, events
        case totalEvents = "total_events"
    }
}
