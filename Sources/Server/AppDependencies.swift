import Core
import Foundation
import Generator
import Logging
import Storage

/// The long-lived resources every server command shares, opened once at start-up: a failure here
/// (unreadable database, missing or invalid template) stops the process before it takes requests.
public struct AppDependencies: Sendable {
    public let database: any DataStore
    public let templates: TemplateLibrary
    public let generator: SiteGenerator
    public let logger: Logger
    public let now: @Sendable () -> Date

    /// The life-cycle scheduler every server runs (ended widgets, feeds ageing out).
    public var scheduler: LifecycleScheduler {
        LifecycleScheduler(database: database, generator: generator, interval: schedulerInterval, logger: logger, now: now)
    }
    /// The mail and webhook dispatchers every API server runs.
    func outboxService(config: ServeConfig) throws -> OutboxService {
        try OutboxService(
            database: database, config: config.outbox, signals: config.outboxSignals, publicURL: config.publicURL, logger: logger, now: now)
    }
    /// How often it looks for due work; tests shorten it.
    public var schedulerInterval: Duration = .seconds(10)

    public static func build(config: ServeConfig, logger: Logger, now: @escaping @Sendable () -> Date = Date.init)
        async throws -> AppDependencies
    {
        let database = try StorageEngine.open(config.databasePath, passwordFile: config.databasePasswordFile, logger: logger)
        let templates = try await TemplateLibrary.load(directory: config.templatesDirectory)
        logger.info("templates loaded", metadata: ["from": "\(templates.origin)", "templates": "\(templates.names.joined(separator: ","))"])
        let generator = SiteGenerator(
            database: database, renderer: WidgetRenderer(templates: templates, uidHost: config.uidHost, publicBase: config.api.publicBase),
            publisher: Publisher(root: config.outputDirectory), logger: logger, now: now)
        return AppDependencies(database: database, templates: templates, generator: generator, logger: logger, now: now)
    }
}
