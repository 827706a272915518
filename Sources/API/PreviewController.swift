import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/preview/widget?customization=<json>[&event_id=N]`: the widget as it would look with
/// unsaved settings, rendered by the generator's own renderer and template. The panel shows it in
/// an iframe and reloads it as the organizer types. Settings are layered exactly as when
/// publishing: built-in defaults <- the organizer's saved defaults <- the event's saved settings
/// <- the unsaved `customization`.
struct PreviewController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let renderer: WidgetRenderer
    let events: EventsController<Context>
    let now: @Sendable () -> Date

    /// A query string can only be so long; settings JSON is far smaller.
    static var maximumSettingsLength: Int { 8_192 }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/preview/widget") { request, context in try preview(request, context) }
    }

    func preview(_ request: Request, _ context: Context) throws -> Response {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        var event = Self.sampleEvent(userID: user.id, now: now())
        var layers = try database.widgetDefaults(userID: user.id)
        if let text = query.get("event_id") {
            guard let id = Int64(text), let saved = try database.event(id: id, userID: user.id) else { throw APIError.notFound }
            event = saved
            // The preview's links must not reach the real tracker: an organizer trying the
            // buttons is not a visitor.
            event.publicID = Self.previewID
            layers = layers.overlaid(with: saved.customization)
        } else if query.get("defaults") == "none" {
            // The settings screen edits the defaults themselves: preview them alone.
            layers = CustomizationOverrides()
        }
        if let text = query.get("customization") {
            guard text.utf8.count <= Self.maximumSettingsLength,
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            else { throw APIError.validation([.init(field: "customization", message: "must be a JSON object of widget settings")]) }
            do {
                layers = layers.overlaid(with: try CustomizationOverrides.validated(from: value, field: "customization"))
            } catch {
                throw APIError.validation(error.issues)
            }
        }
        let html = try renderer.widgetHTML(event: event, settings: WidgetSettings.defaults.applying(layers), now: now(), counted: false)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // Same rules as a published widget, but only the panel itself may frame a preview.
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static var previewID: PublicID { PublicID("PreviewPreviewPreview0")! }

    /// A plausible event for previews of the organizer's defaults.
    static func sampleEvent(userID: Int64, now: Date) -> Event {
        let start = Date(epochSeconds: (now.epochSeconds / 3_600 + 48) * 3_600)
        return Event(
            id: 0, userID: userID, publicID: previewID, title: "Your webinar title",
            description: "A short description of what attendees will learn.", start: start,
            end: start.addingTimeInterval(3_600), timeZone: "UTC", webinarURL: "https://example.com/webinar", createdAt: now,
            updatedAt: now)
    }
}
