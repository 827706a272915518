import ArgumentParser
import Core
import EdgeTracker
import Foundation
import Logging
import ServiceLifecycle

/// `attendify track`: the dedicated click tracker for production (behind Nginx).
struct TrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Run the click tracker: GET /track/{public_id}/{type} -> 302, clicks written in batches.",
        discussion: """
            Answers from an in-memory link table that follows database changes within a second. \
            Clicks are committed at least every 100 ms; SIGTERM or SIGINT drain the queue before exit. \
            Connections without a complete request head for --request-timeout are closed, at most \
            --max-connections are open at once, request heads are limited to 16 KiB (431), and a client \
            that does not read its answers is no longer read from.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (env ATTENDIFY_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env ATTENDIFY_PORT; default 8082).")
    var port: Int?

    @OptionGroup var trackerOptions: TrackerOptions

    @Option(
        name: .customLong("public-url"),
        help: "Public origin of the site; the subscribe buttons redirect to its feeds (env ATTENDIFY_PUBLIC_URL; default http://127.0.0.1:8080).")
    var publicURL: String?

    func validate() throws {
        if let text = publicURLText, SiteOptions.parseOrigin(text) == nil {
            throw ValidationError("--public-url must be an absolute http(s) URL such as https://attendify.example, got \(text)")
        }
    }

    private var publicURLText: String? { publicURL ?? Environment.value("ATTENDIFY_PUBLIC_URL") }

    func run() async throws {
        let logger = Logger(label: "attendify.track")
        let database = try self.database.open(logger: logger)
        defer { database.close() }
        var config = try trackerOptions.trackerConfig()
        if let url = publicURLText.flatMap(SiteOptions.parseOrigin) {
            let text = url.absoluteString
            config.publicBase = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        let tracker = try EdgeTracker.build(database: database, config: config, logger: logger)
        let port = try port ?? Environment.value("ATTENDIFY_PORT").map(ServeCommand.parsePort) ?? 8082
        var services = tracker.backgroundServices
        if let metricsPort = try trackerOptions.resolvedMetricsPort() {
            services.append(tracker.metricsService(port: metricsPort, logger: logger))
        }
        services.append(tracker.httpService(host: host ?? Environment.value("ATTENDIFY_HOST") ?? "127.0.0.1", port: port, logger: logger))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
