import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird

/// `/api/events/{id}/placements`: the named places an event is embedded. Each change republishes
/// the event before answering, so a returned `widget_url` works and a deleted one 404s at once.
struct PlacementsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let generator: SiteGenerator
    let events: EventsController<Context>
    let config: APIConfig

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/events/{id}/placements") { request, context in try await create(request, context) }
        routes.on(.get, "/api/events/{id}/placements") { _, context in try list(context) }
        routes.on(.get, "/api/events/{id}/placements/{placement}") { _, context in try show(context) }
        routes.on(.delete, "/api/events/{id}/placements/{placement}") { _, context in try delete(context) }
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let event = try events.ownedEvent(context)
        var body = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        body.rejectUnknownKeys(allowed: ["name"])
        let raw = body.string("name", required: true, maximumLength: 10_000)
        var name = ""
        if let raw {
            do { name = try Placement.validatedName(raw) } catch { body.add(error) }
        }
        try body.finish()
        let placement: Placement
        do {
            placement = try database.createPlacement(eventID: event.id, userID: event.userID, name: name, key: .random(), now: events.now())
        } catch StorageError.notFound {
            throw APIError.notFound
        } catch StorageError.placementNameTaken {
            throw APIError.conflict(title: "Placement name taken", detail: "This event already has a placement named \"\(name)\"; pick another name.")
        } catch StorageError.placementLimitReached {
            throw APIError.validation([
                .init(field: "name", message: "an event may have at most \(Placement.maximumPerEvent) placements; delete one first")
            ])
        }
        do {
            try publish(event)
        } catch {
            // A placement whose widget does not exist must not be handed out: undo, then report.
            context.logger.error("publishing a new placement failed; it was not kept", metadata: ["error": "\(error)"])
            _ = try? database.deletePlacement(id: placement.id, eventID: event.id, userID: event.userID)
            _ = try? generator.sync(eventID: event.id, publicID: event.publicID)
            throw error
        }
        return try JSONResponse.make(
            response(placement, event), status: .created, headers: [.location: "/api/events/\(event.id)/placements/\(placement.id)"])
    }

    func list(_ context: Context) throws -> Response {
        let event = try events.ownedEvent(context)
        let placements = try database.placements(eventID: event.id)
        return try JSONResponse.make(PlacementListResponse(placements: placements.map { response($0, event) }))
    }

    func show(_ context: Context) throws -> Response {
        let event = try events.ownedEvent(context)
        let id = try placementID(context)
        guard let placement = try database.placements(eventID: event.id).first(where: { $0.id == id }) else { throw APIError.notFound }
        return try JSONResponse.make(response(placement, event))
    }

    func delete(_ context: Context) throws -> Response {
        let event = try events.ownedEvent(context)
        guard try database.deletePlacement(id: try placementID(context), eventID: event.id, userID: event.userID) != nil else {
            throw APIError.notFound
        }
        // The row is gone already; publishing removes the placement's widget folder.
        try publish(event)
        return Response(status: .noContent)
    }

    private func publish(_ event: Event) throws {
        guard try generator.sync(eventID: event.id, publicID: event.publicID) == .published else {
            throw APIError.notFound  // the event was deleted meanwhile
        }
    }

    private func placementID(_ context: Context) throws -> Int64 {
        guard let text = context.parameters.get("placement"), let id = Int64(text), id > 0 else { throw APIError.notFound }
        return id
    }

    private func response(_ placement: Placement, _ event: Event) -> PlacementResponse {
        let language = (try? database.widgetDefaults(userID: event.userID)).map {
            WidgetSettings.resolve(userDefaults: $0, event: event.customization).language
        } ?? WidgetSettings.defaults.language
        return PlacementResponse(
            id: placement.id, name: placement.name,
            widgetURL: EmbedCode.widgetURL(for: event, publicBase: config.publicBase, placement: placement),
            iframeHTML: EmbedCode.html(for: event, publicBase: config.publicBase, language: language, placement: placement),
            responsiveIframeHTML: EmbedCode.responsiveHTML(for: event, publicBase: config.publicBase, language: language, placement: placement),
            createdAt: RFC3339.format(placement.createdAt))
    }
}

struct PlacementResponse: Encodable {
    var id: Int64
    var name: String
    var widgetURL: String
    var iframeHTML: String
    var responsiveIframeHTML: String
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name
        case widgetURL = "widget_url"
        case iframeHTML = "iframe_html"
        case responsiveIframeHTML = "iframe_html_responsive"
        case createdAt = "created_at"
    }
}

struct PlacementListResponse: Encodable {
    var placements: [PlacementResponse]
}
