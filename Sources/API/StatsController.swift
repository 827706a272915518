import Core
import Foundation
import Hummingbird

/// `GET /api/events/{id}/stats?from=&to=&tz=`: totals, per provider and per day, from the
/// hourly rollup only (cost grows with hours in the range, not with clicks).
struct StatsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let events: EventsController<Context>
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/events/{id}/stats") { request, context in try stats(request, context) }
    }

    func stats(_ request: Request, _ context: Context) throws -> Response {
        let event = try events.ownedEvent(context)
        let query = request.uri.queryParameters
        let zoneName = query.get("tz") ?? event.timeZone
        guard EventDraft.isTimeZoneName(zoneName), let zone = TimeZone(identifier: zoneName) else {
            throw APIError.validation([.init(field: "tz", message: "must be an IANA time zone name such as Europe/Warsaw")])
        }
        let range: ClickStatistics.Range
        do {
            range = try ClickStatistics.range(from: query.get("from"), to: query.get("to"), zone: zone, today: now())
        } catch {
            throw APIError.validation(error.issues)
        }
        let buckets = try database.clickBuckets(eventID: event.id, from: range.start.epochSeconds, to: range.end.epochSeconds)
        let offered = WidgetSettings.resolve(userDefaults: try database.widgetDefaults(userID: event.userID), event: event.customization).providers
        let statistics = ClickStatistics(buckets: buckets, range: range, offeredTypes: offered)
        return try JSONResponse.make(
            StatsResponse(
                totalClicks: statistics.total, clicksByType: statistics.byType,
                clicksTimeline: statistics.timeline.map { .init(date: $0.date, count: $0.count) },
                from: statistics.timeline.first?.date ?? "", to: statistics.timeline.last?.date ?? "", tz: zoneName))
    }
}
