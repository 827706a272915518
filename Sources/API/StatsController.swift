import Core
import Foundation
import Hummingbird

/// The statistics routes, read from rollups only (cost grows with events, hours and days asked
/// for, never with traffic), each as JSON or CSV:
/// - `GET /api/events/{id}/stats?from=&to=&tz=`: one event's clicks per provider, views, unique
///   visitors and conversion, day by day and per placement;
/// - `GET /api/stats?from=&to=&tz=&sort=&order=&limit=&offset=`: the organizer's overview, every
///   event ranked.
struct StatsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let events: EventsController<Context>
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/events/{id}/stats") { request, context in try stats(request, context) }
        routes.on(.get, "/api/stats") { request, context in try overview(request, context) }
    }

    /// What every statistics request shares: the zone, the day range and the format.
    struct Query {
        var zoneName: String
        var range: ClickStatistics.Range
        var days: ClickStatistics.DayBoundaries
        var csv: Bool
        var from: String { days.dates.first ?? "" }
        var to: String { days.dates.last ?? "" }
    }

    func query(_ request: Request, defaultZone: String, issues: inout [ValidationIssue]) -> Query? {
        let parameters = request.uri.queryParameters
        let zoneName = parameters.get("tz") ?? defaultZone
        var csv = request.headers[.accept].map { $0.contains("text/csv") && !$0.contains("application/json") } ?? false
        switch parameters.get("format") {
        case nil: break
        case "csv": csv = true
        case "json": csv = false
        default: issues.append(.init(field: "format", message: "must be json or csv"))
        }
        guard EventDraft.isTimeZoneName(zoneName), let zone = TimeZone(identifier: zoneName) else {
            issues.append(.init(field: "tz", message: "must be an IANA time zone name such as Europe/Warsaw"))
            return nil
        }
        do {
            let range = try ClickStatistics.range(from: parameters.get("from"), to: parameters.get("to"), zone: zone, today: now())
            return Query(zoneName: zoneName, range: range, days: ClickStatistics.DayBoundaries(range: range), csv: csv)
        } catch {
            issues.append(contentsOf: error.issues)
            return nil
        }
    }

    func stats(_ request: Request, _ context: Context) throws -> Response {
        let event = try events.ownedEvent(context)
        var issues: [ValidationIssue] = []
        let parsed = query(request, defaultZone: event.timeZone, issues: &issues)
        guard let query = parsed, issues.isEmpty else { throw APIError.validation(issues) }
        let window = query.days.window
        let clicks = ClickStatistics(
            buckets: try database.clickBuckets(eventID: event.id, from: window.start, to: window.end), range: query.range,
            offeredTypes: WidgetSettings.resolve(userDefaults: try database.widgetDefaults(userID: event.userID), event: event.customization).providers)
        let traffic = TrafficStatistics(
            buckets: try database.trafficBuckets(eventID: event.id, from: window.start, to: window.end),
            visitors: try database.visitorCounts(eventID: event.id, firstDay: window.firstDay, lastDay: window.lastDay),
            placements: try database.placements(eventID: event.id), range: query.range)
        let timeline = traffic.timeline.map {
            TrafficDay(date: $0.date, views: $0.views, uniqueVisitors: $0.uniqueVisitors, clicks: $0.clicks, conversionRate: Rate($0.conversionRate))
        }
        if query.csv {
            var table = CSVTable(header: ["date", "views", "unique_visitors", "clicks", "conversion_rate"])
            for day in timeline {
                table.append([.text(day.date), .number(day.views), .number(day.uniqueVisitors), .number(day.clicks), .rate(day.conversionRate.value)])
            }
            return table.response(filename: "attendify-event-\(event.publicID.rawValue)-\(query.from)-\(query.to).csv")
        }
        return try JSONResponse.make(
            StatsResponse(
                totalClicks: clicks.total, clicksByType: clicks.byType,
                clicksTimeline: clicks.timeline.map { .init(date: $0.date, count: $0.count) },
                from: query.from, to: query.to, tz: query.zoneName, views: traffic.views, uniqueVisitors: traffic.uniqueVisitors,
                conversionRate: Rate(ConversionRate.of(clicks: clicks.total, views: traffic.views)), viewsTimeline: timeline,
                byPlacement: traffic.byPlacement.mapValues {
                    PlacementTraffic(views: $0.views, clicks: $0.clicks, conversionRate: Rate($0.conversionRate))
                }))
    }

    func overview(_ request: Request, _ context: Context) throws -> Response {
        let user = try context.requireUser()
        let parameters = request.uri.queryParameters
        var issues: [ValidationIssue] = []
        let parsed = query(request, defaultZone: "UTC", issues: &issues)
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) -> T where T.RawValue == String {
            guard let text = parameters.get(name) else { return value }
            guard let chosen = T(rawValue: text) else {
                issues.append(.init(field: name, message: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
                return value
            }
            return chosen
        }
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let text = parameters.get(name) else { return value }
            guard let parsed = Int(text), range.contains(parsed) else {
                issues.append(.init(field: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
                return value
            }
            return parsed
        }
        let sort = choice("sort", default: StatsOverview.SortKey.views)
        let order = choice("order", default: StatsOverview.Order.desc)
        let limit = number("limit", default: StatsOverview.defaultPageSize, range: 1...StatsOverview.maximumPageSize)
        let offset = number("offset", default: 0, range: 0...Int(Int32.max))
        guard let query = parsed, issues.isEmpty else { throw APIError.validation(issues) }
        let overview = StatsOverview(
            events: try database.eventSummaries(userID: user.id), traffic: try database.trafficTotals(userID: user.id, window: query.days.window),
            sort: sort, order: order, limit: limit, offset: offset)
        let rows = overview.rows.map { row in
            OverviewResponse.Row(
                id: row.event.id, publicID: row.event.publicID.rawValue, title: row.event.title, startDatetime: RFC3339.format(row.event.start),
                status: row.event.status.rawValue, views: row.traffic.views, uniqueVisitors: row.traffic.uniqueVisitors,
                clicks: row.traffic.clicks, conversionRate: Rate(row.traffic.conversionRate))
        }
        if query.csv {
            var table = CSVTable(header: [
                "event_id", "public_id", "title", "start_datetime", "status", "views", "unique_visitors", "clicks", "conversion_rate",
            ])
            for row in rows {
                table.append([
                    .number(Int(row.id)), .text(row.publicID), .text(row.title), .text(row.startDatetime), .text(row.status), .number(row.views),
                    .number(row.uniqueVisitors), .number(row.clicks), .rate(row.conversionRate.value),
                ])
            }
            return table.response(filename: "attendify-overview-\(query.from)-\(query.to).csv")
        }
        let totals = overview.totals
        return try JSONResponse.make(
            OverviewResponse(
                from: query.from, to: query.to, tz: query.zoneName, sort: sort.rawValue, order: order.rawValue, limit: limit, offset: offset,
                totalEvents: overview.totalEvents,
                totals: TrafficTotalsResponse(
                    views: totals.views, uniqueVisitors: totals.uniqueVisitors, clicks: totals.clicks, conversionRate: Rate(totals.conversionRate)),
                events: rows))
    }
}
