import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird
import Logging

/// Events: create, list, get, update, delete, embed code. Every change republishes (or removes)
/// the event's public files before the response is sent, so a returned `widget_url` works.
struct EventsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let generator: SiteGenerator
    let config: APIConfig
    let now: @Sendable () -> Date

    var webhooks: WebhookNotifier {
        WebhookNotifier(database: database, publicBase: config.publicBase, signals: config.outboxSignals, now: now)
    }

    static var defaultPageSize: Int { 20 }
    static var maximumPageSize: Int { 100 }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/events") { request, context in try await create(request, context) }
        routes.on(.get, "/api/events") { request, context in try list(request, context) }
        routes.on(.get, "/api/events/{id}") { _, context in try JSONResponse.make(response(try ownedEvent(context))) }
        routes.on(.put, "/api/events/{id}") { request, context in try await update(request, context) }
        routes.on(.delete, "/api/events/{id}") { _, context in try delete(context) }
        routes.on(.post, "/api/events/{id}/cancel") { request, context in try await cancel(request, context) }
        routes.on(.get, "/api/events/{id}/iframe-code") { _, context in try iframeCode(context) }
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        let body = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        let draft = try EventInput.draft(from: body, base: nil)
        let event = try database.createEvent(draft, userID: user.id, publicID: .random(), now: now())
        do {
            guard try generator.sync(eventID: event.id, publicID: event.publicID) == .published else {
                throw APIError.notFound  // deleted by a concurrent request before its first publish
            }
        } catch {
            // Never leave an event whose widget does not exist: undo, then report.
            context.logger.error("publishing a new event failed; it was not kept", metadata: ["error": "\(error)"])
            _ = try? database.deleteEvent(id: event.id, userID: user.id)
            _ = try? generator.sync(eventID: event.id, publicID: event.publicID)
            throw error
        }
        generator.syncFeedSoon(userID: user.id)
        webhooks.notify(.eventCreated, event, logger: context.logger)
        return try JSONResponse.make(response(event), status: .created, headers: [.location: "/api/events/\(event.id)"])
    }

    func list(_ request: Request, _ context: Context) throws -> Response {
        let user = try context.requireUser()
        var issues: [ValidationIssue] = []
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let text = request.uri.queryParameters.get(name) else { return value }
            guard let parsed = Int(text), range.contains(parsed) else {
                issues.append(.init(field: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
                return value
            }
            return parsed
        }
        let limit = number("limit", default: Self.defaultPageSize, range: 1...Self.maximumPageSize)
        let offset = number("offset", default: 0, range: 0...Int(Int32.max))
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let page = try database.eventPage(userID: user.id, limit: limit, offset: offset)
        return try JSONResponse.make(EventListResponse(events: page.events.map(response), total: page.total))
    }

    func update(_ request: Request, _ context: Context) async throws -> Response {
        let existing = try ownedEvent(context)  // 401 and 404 before the body is even read
        let body = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        return try change(existing, context) { current in try EventInput.draft(from: body, base: current) }
    }

    /// `POST /api/events/{id}/cancel`: keeps the event, marked cancelled, so feeds and downloads
    /// tell attendees. Takes no body (an empty JSON object is accepted too). Cancelling a
    /// cancelled event changes nothing (not even `updated_at`, so feeds keep their ETag) and
    /// answers the same.
    func cancel(_ request: Request, _ context: Context) async throws -> Response {
        let existing = try ownedEvent(context)
        if var fields = try await JSONBody.optionalObject(from: request, limit: config.maximumBodyBytes) {
            fields.rejectUnknownKeys(allowed: [])
            try fields.finish()
        }
        if existing.status == .cancelled { return try JSONResponse.make(response(existing)) }
        return try change(existing, context) { current in
            var draft = current.draft
            draft.status = .cancelled
            return draft
        }
    }

    /// Read-modify-write of one event, then its files and its organizer's feed, as `update` and
    /// `cancel` share it.
    private func change(_ existing: Event, _ context: Context, _ makeDraft: @escaping (Event) throws -> EventDraft) throws -> Response {
        let user = try context.requireUser()
        let updated: Event
        var previous: Event?
        do {
            // The change is applied to the event as stored at write time, inside the transaction.
            updated = try database.updateEvent(id: existing.id, userID: user.id, now: now()) { current in
                previous = current
                return try makeDraft(current)
            }
        } catch StorageError.notFound {
            throw APIError.notFound
        }
        do {
            // A DELETE that won the race leaves nothing to show: the files are gone and so is the event.
            guard try generator.sync(eventID: updated.id, publicID: updated.publicID) == .published else { throw APIError.notFound }
        } catch let error where !(error is APIError) {
            // A failed publish changed no file, so an error answer must not have changed the event
            // either: put the row back (unless a newer edit already replaced it).
            if let previous { _ = try? database.revertEvent(to: previous, from: updated) }
            throw error
        }
        generator.syncFeedSoon(userID: user.id)
        webhooks.notify(WebhookNotifier.type(updating: previous, to: updated), updated, logger: context.logger)
        return try JSONResponse.make(response(updated))
    }

    func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let existing = try ownedEvent(context)
        let deleted: Event
        do {
            // The tombstone keeps the cancellation in feeds until the event's window closes.
            deleted = try database.deleteEvent(id: existing.id, userID: user.id, tombstoneAt: now())
        } catch StorageError.notFound {
            throw APIError.notFound  // a concurrent DELETE was first
        }
        // Under the event's lock, after the row is gone: a PUT still publishing waits, then sees
        // the row missing and removes instead, so the widget cannot come back.
        try generator.sync(eventID: deleted.id, publicID: deleted.publicID)
        generator.syncFeedSoon(userID: user.id)
        webhooks.notify(.eventDeleted, deleted, logger: context.logger)
        return Response(status: .noContent)
    }

    func iframeCode(_ context: Context) throws -> Response {
        let event = try ownedEvent(context)
        let settings = WidgetSettings.resolve(userDefaults: try database.widgetDefaults(userID: event.userID), event: event.customization)
        return try JSONResponse.make(
            IframeCodeResponse(
                iframeHTML: EmbedCode.html(for: event, publicBase: config.publicBase, language: settings.language),
                responsiveIframeHTML: EmbedCode.responsiveHTML(for: event, publicBase: config.publicBase, language: settings.language)))
    }

    /// The signed-in organizer's event named in the path; 404 when missing *or someone else's*.
    func ownedEvent(_ context: Context) throws -> Event {
        let user = try context.requireUser()
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0,
            let event = try database.event(id: id, userID: user.id)
        else { throw APIError.notFound }
        return event
    }

    func response(_ event: Event) -> EventResponse {
        EventResponse(event, publicBase: config.publicBase, now: now())
    }
}
