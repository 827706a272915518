import Core
import Foundation
import HTTPTypes
import Hummingbird
import Outbound

/// Organizers' webhook endpoints. Registering checks the URL (https, no credentials, no private
/// or loopback literal unless the operator allows them); deliveries are checked again against
/// what the host resolves to when they are sent (`WebhookDispatcher`).
struct WebhooksController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let config: APIConfig
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/webhooks") { request, context in try await create(request, context) }
        routes.on(.get, "/api/webhooks") { _, context in try list(context) }
        routes.on(.delete, "/api/webhooks/{id}") { _, context in try delete(context) }
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["url", "events", "description"])
        let url = fields.string("url", required: true, maximumLength: 2_048)
        if let url, let problem = WebhookTargetPolicy(allowPrivate: config.webhooksAllowPrivate).problem(with: url) {
            fields.add(ValidationFailure(field: "url", message: problem))
        }
        let events = fields.words("events", of: WebhookEventType.self)
        // An empty description is no description.
        let description = fields.string("description", maximumLength: 800)?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false
            ? fields.label("description", maximumLength: 200) : nil
        try fields.finish()
        guard let url, let events else { throw APIError.validation([]) }
        do {
            let webhook = try database.createWebhook(
                userID: user.id, url: url, events: events, description: description,
                secret: WebhookSecret.generate(), limit: config.maximumWebhooksPerUser, now: now())
            return try JSONResponse.make(
                WebhookResponse(webhook: webhook, withSecret: true), status: .created, headers: [.location: "/api/webhooks/\(webhook.id)"])
        } catch StorageError.limitReached {
            throw APIError.conflict(
                title: "Too many webhooks", detail: "An account may have \(config.maximumWebhooksPerUser) webhooks; delete one you no longer use.")
        }
    }

    func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return try JSONResponse.make(WebhookListResponse(webhooks: try database.webhooks(userID: user.id).map { WebhookResponse(webhook: $0) }))
    }

    func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0, try database.deleteWebhook(id: id, userID: user.id) else {
            throw APIError.notFound
        }
        return Response(status: .noContent)
    }
}
