import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird

/// The organizer API, mounted under `/api` on any router whose context is an
/// `APIRequestContext`. Middleware order, outermost first: CORS (so even errors carry it),
/// problem+json mapping, the hop onto the API's blocking-work threads, authentication and CSRF,
/// then the controllers.
public enum OrganizerAPI {
    /// Adds every `/api` route; returns them (method and OpenAPI path) for the spec test.
    @discardableResult
    public static func addRoutes<Context: APIRequestContext>(
        to router: Router<Context>, database: any DataStore, generator: SiteGenerator, config: APIConfig,
        now: @escaping @Sendable () -> Date = Date.init
    ) -> [APIRoute] {
        let group = router.group("api")
            .add(middleware: APICORSMiddleware<Context>(allowedOrigins: config.allowedOrigins))
            .add(middleware: ProblemMiddleware<Context>())
            .add(middleware: BlockingWorkMiddleware<Context>())
            .add(middleware: AuthMiddleware<Context>(database: database, allowedOrigins: config.allowedOrigins, now: now))
        let routes = RouteTable(group: group)
        let hasher = PasswordHasher(cost: config.bcryptCost, maximumPending: config.maximumPendingPasswordChecks)
        AuthController<Context>(database: database, config: config, hasher: hasher, limits: AuthLimits(config: config), now: now)
            .addRoutes(to: routes)
        let account = AccountSupport(database: database, config: config, hasher: hasher, now: now)
        PasswordController<Context>(support: account).addRoutes(to: routes)
        EmailChangeController<Context>(support: account).addRoutes(to: routes)
        SessionsController<Context>(database: database, config: config, now: now).addRoutes(to: routes)
        AccountController<Context>(support: account, generator: generator).addRoutes(to: routes)
        TokensController<Context>(database: database, config: config, now: now).addRoutes(to: routes)
        WebhooksController<Context>(database: database, config: config, now: now).addRoutes(to: routes)
        let events = EventsController<Context>(database: database, generator: generator, config: config, now: now)
        events.addRoutes(to: routes)
        StatsController<Context>(database: database, events: events, now: now).addRoutes(to: routes)
        PlacementsController<Context>(database: database, generator: generator, events: events, config: config).addRoutes(to: routes)
        SettingsController<Context>(database: database, generator: generator, config: config, now: now).addRoutes(to: routes)
        FeedController<Context>(database: database, config: config).addRoutes(to: routes)
        RecurrencePreviewController<Context>(config: config).addRoutes(to: routes)
        PreviewController<Context>(database: database, renderer: generator.renderer, events: events, now: now).addRoutes(to: routes)

        routes.addMethodNotAllowedHandlers()
        // Anything else under /api is a problem+json 404, not the site's plain one.
        for method: HTTPRequest.Method in [.get, .post, .put, .delete, .patch, .head, .options] {
            group.on("**", method: method) { _, _ -> Response in throw APIError.notFound }
        }
        return routes.routes
    }
}
