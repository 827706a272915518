import Core
import Foundation
import Generator
import Hummingbird
import Logging

/// Builds the all-in-one server (`attendify serve`): the static public files today; the API and
/// the tracker join the same router as their modules land.
public func buildApplication(
    config: ServeConfig, dependencies: AppDependencies,
    onReady: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let logger = dependencies.logger
    if config.regenerateOnStart {
        let report = try dependencies.generator.publishAll()
        logger.info(
            "published the public files of every event",
            metadata: ["events": "\(report.published)", "removed": "\(report.removed)", "out": "\(config.outputDirectory)"])
    }
    let router = buildRouter(config: config)
    let host = config.host
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? config.port
            logger.info("attendify serve is ready on http://\(host):\(port)")
            await onReady(port)
        },
        logger: logger)
}

/// The routes of `serve`, separate from resources so tests can inspect them.
func buildRouter(config: ServeConfig) -> Router<BasicRequestContext> {
    let router = Router()
    StaticSiteController<BasicRequestContext>(outputDirectory: config.outputDirectory).addRoutes(to: router)
    return router
}
