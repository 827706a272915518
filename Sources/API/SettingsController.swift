import Core
import Foundation
import Generator
import Hummingbird

/// `GET|PUT /api/settings/iframe`: the organizer's default widget settings. A change republishes
/// every widget of that organizer before the response.
struct SettingsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let generator: SiteGenerator
    let config: APIConfig
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/settings/iframe") { _, context in
            let user = try context.requireUser()
            return try JSONResponse.make(SettingsResponse(iframeDefaults: try database.widgetDefaults(userID: user.id)))
        }
        routes.on(.put, "/api/settings/iframe") { request, context in try await update(request, context) }
    }

    func update(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["iframe_defaults"])
        var defaults: CustomizationOverrides?
        if let value = fields.value("iframe_defaults") {
            do {
                defaults = try CustomizationOverrides.validated(from: value, field: "iframe_defaults")
            } catch {
                fields.add(error)
            }
        } else {
            fields.add(ValidationFailure(field: "iframe_defaults", message: "is required"))
        }
        try fields.finish()
        guard let defaults else { throw APIError.validation([]) }
        let previous = try database.setWidgetDefaults(defaults, userID: user.id, now: now())
        // By key, so each event is re-read under its publish lock: a concurrent edit cannot be
        // overwritten by an older snapshot, and an event deleted meanwhile just stays deleted.
        let keys = try database.eventKeys(userID: user.id).compactMap { key in key.publicID.map { (key.id, $0) } }
        var published = 0
        do {
            for (eventID, publicID) in keys {
                try generator.sync(eventID: eventID, publicID: publicID)
                published += 1
            }
        } catch {
            // An error answer must leave things as they were: restore the previous defaults (unless
            // a newer change replaced them) and republish the widgets already redone with the new ones.
            context.logger.error("republishing after a settings change failed; reverting it", metadata: ["error": "\(error)"])
            if (try? database.revertWidgetDefaults(to: previous, from: defaults, userID: user.id, now: now())) == true {
                for (eventID, publicID) in keys.prefix(published) { _ = try? generator.sync(eventID: eventID, publicID: publicID) }
            }
            throw error
        }
        // The feed's name and each event's language come from these defaults too.
        generator.syncFeedSoon(userID: user.id)
        return try JSONResponse.make(SettingsResponse(iframeDefaults: defaults))
    }
}
