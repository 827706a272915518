import API
import Core
import EdgeTracker
import Foundation
import Generator
import Hummingbird
import Logging

/// Builds the all-in-one server (`attendify serve`): the static public files and `/track` on one
/// router with the organizer API, and the tracker's writer and link refresher as services.
public func buildApplication(
    config: ServeConfig, dependencies: AppDependencies,
    onReady: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let logger = dependencies.logger
    if config.regenerateOnStart { try rebuildPublicFiles(config: config, dependencies: dependencies) }
    var trackerConfig = config.tracker
    trackerConfig.publicBase = config.api.publicBase  // the subscribe redirects point at this site
    let tracker = try EdgeTracker.build(database: dependencies.database, config: trackerConfig, logger: logger)
    let router = buildRouter(config: config, dependencies: dependencies, tracker: tracker.tracker)
    let host = config.host
    var services = tracker.backgroundServices
    services.append(LifecycleService(scheduler: dependencies.scheduler))
    services.append(try dependencies.outboxService(config: config))
    if let metricsPort = config.metricsPort {
        services.append(tracker.metricsService(port: metricsPort, logger: logger))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? config.port
            logger.info("attendify serve is ready on http://\(host):\(port)")
            await onReady(port)
        },
        logger: logger)
}

/// The routes of `serve`, separate from resources so tests can inspect them.
func buildRouter(config: ServeConfig, dependencies: AppDependencies, tracker: ClickTracker) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    StaticSiteController<AppRequestContext>(outputDirectory: config.outputDirectory).addRoutes(to: router)
    TrackRouteController(tracker: tracker).addRoutes(to: router)
    PanelController<AppRequestContext>(directory: config.panelDirectory).addRoutes(to: router)
    OrganizerAPI.addRoutes(
        to: router, database: dependencies.database, generator: dependencies.generator, config: config.api, now: dependencies.now)
    return router
}

/// Rebuilds `out/` from the database before a server answers: whatever a crash (even SIGKILL in
/// the middle of a publish) left behind, files then match a fresh render, leftovers are gone and
/// events deleted before the crash stay deleted.
func rebuildPublicFiles(config: ServeConfig, dependencies: AppDependencies) throws {
    let report = try dependencies.generator.publishAll()
    dependencies.logger.info(
        "published the public files of every event",
        metadata: [
            "events": "\(report.published)", "removed": "\(report.removed)", "leftovers": "\(report.leftovers)",
            "out": "\(config.outputDirectory)",
        ])
}

/// Builds the organizer API alone (`attendify api`, behind Nginx in production): `/api` only;
/// public files are served by Nginx and clicks by the tracker process. Like `serve`, it first
/// rebuilds `out/` (unless `regenerateOnStart` is off).
public func buildAPIApplication(
    config: ServeConfig, dependencies: AppDependencies,
    onReady: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let logger = dependencies.logger
    if config.regenerateOnStart { try rebuildPublicFiles(config: config, dependencies: dependencies) }
    let router = Router(context: AppRequestContext.self)
    OrganizerAPI.addRoutes(
        to: router, database: dependencies.database, generator: dependencies.generator, config: config.api, now: dependencies.now)
    let host = config.host
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
        services: [LifecycleService(scheduler: dependencies.scheduler), try dependencies.outboxService(config: config)],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? config.port
            logger.info("attendify api is ready on http://\(host):\(port)")
            await onReady(port)
        },
        logger: logger)
}
