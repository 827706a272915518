import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Server

/// `attendify api`: the organizer API as its own process (production, behind Nginx).
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Run the organizer API (/api/...) alone; every change republishes files into the output folder.")

    @OptionGroup var site: SiteOptions

    @Option(help: "Address to listen on (env ATTENDIFY_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env ATTENDIFY_PORT; default 8081).")
    var port: Int?

    @OptionGroup var access: AccessOptions
    @OptionGroup var origins: OriginOptions
    @OptionGroup var outbox: OutboxOptions

    func run() async throws {
        var config = ServeConfig(port: 8081)
        site.apply(to: &config)
        config.host = host ?? Environment.value("ATTENDIFY_HOST") ?? config.host
        if let port = try port ?? Environment.value("ATTENDIFY_PORT").map(ServeCommand.parsePort) { config.port = port }
        config.tracker.rateLimitsEnabled = access.rateLimitsEnabled
        config.allowedOrigins = origins.allowedOriginSet
        try outbox.apply(to: &config)
        config.trustedProxies = access.trustedProxySet
        let logger = Logger(label: "attendify.api")
        let dependencies = try await AppDependencies.build(config: config, logger: logger)
        try await buildAPIApplication(config: config, dependencies: dependencies).runService()
    }
}
