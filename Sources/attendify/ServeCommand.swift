import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Server

/// `attendify serve`: the whole product on one port, for laptops, small sites and tests.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the generated widgets and .ics files (and, as they land, the API and tracker) on one port.",
        discussion: "Rebuilds every event's public files at start, then serves them. Logs one line when ready.")

    @OptionGroup var site: SiteOptions
    @OptionGroup var trackerOptions: TrackerOptions

    @Option(help: "Address to listen on (env ATTENDIFY_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env ATTENDIFY_PORT; default 8080). Without --public-url the site's origin is http://HOST:PORT.")
    var port: Int?

    @OptionGroup var origins: OriginOptions
    @OptionGroup var outbox: OutboxOptions

    @Option(
        help: """
            Folder of the organizer panel's static files (env ATTENDIFY_PANEL; default ./Panel if that \
            folder exists here, else the panel built into this binary).
            """)
    var panel: String?

    @Flag(help: "Create a demo organizer and event (once) and print its widget and .ics URLs.")
    var demo = false

    func run() async throws {
        var config = ServeConfig()
        site.apply(to: &config)
        config.host = host ?? Environment.value("ATTENDIFY_HOST") ?? config.host
        if let port = try port ?? Environment.value("ATTENDIFY_PORT").map(Self.parsePort) {
            config.port = port
        }
        if !site.publicURLGiven, config.port != 0, let url = Self.ownOrigin(host: config.host, port: config.port) {
            // One process serves everything here, so its own address is the site's origin: the
            // printed URLs, embed codes and the panel's API calls then work on any --port.
            config.publicURL = url
        }
        config.tracker = try trackerOptions.trackerConfig()
        config.metricsPort = try trackerOptions.resolvedMetricsPort()
        config.trustedProxies = config.tracker.trustedProxies
        config.allowedOrigins = origins.allowedOriginSet
        try outbox.apply(to: &config)
        config.panelDirectory = ServeConfig.assetFolder(
            flag: panel, environment: Environment.value("ATTENDIFY_PANEL"), local: "./Panel")
        let logger = Logger(label: "attendify.serve")
        let dependencies = try await AppDependencies.build(config: config, logger: logger)
        if demo {
            let result = try DemoSite(dependencies: dependencies, publicURL: config.publicURL).prepare()
            // Written straight to the file descriptor: stdout may be a pipe or file (scripts, CI), and
            // the URLs must be visible before the server blocks.
            FileHandle.standardOutput.write(Data(
                """

                Demo event ready: \(result.event.title)
                  Widget:   \(result.widgetURL)
                  Calendar: \(result.icsURL)
                  Panel:    \(config.publicURL.absoluteString.hasSuffix("/") ? config.publicURL.absoluteString : config.publicURL.absoluteString + "/") (sign up to create your own events)

                """.utf8))
        }
        let app = try await buildApplication(config: config, dependencies: dependencies)
        try await app.runService()
    }

    /// http://HOST:PORT for the listening address (a wildcard address as 127.0.0.1).
    static func ownOrigin(host: String, port: Int) -> URL? {
        let shown = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
        let bracketed = shown.contains(":") && !shown.hasPrefix("[") ? "[\(shown)]" : shown
        return URL(string: "http://\(bracketed):\(port)")
    }

    static func parsePort(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65_535).contains(port) else {
            throw ValidationError("ATTENDIFY_PORT must be a port number from 0 to 65535, got \(text)")
        }
        return port
    }
}
