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

    @Option(
        name: .customLong("rate-limits"),
        help: "on|off: switch every rate limiter at once (env ATTENDIFY_RATE_LIMITS; default on).")
    var rateLimits: String?

    @Option(name: .customLong("allowed-origin"), help: "Extra browser origin allowed to call the API; repeatable (env ATTENDIFY_ALLOWED_ORIGINS, comma-separated).")
    var allowedOrigins: [String] = []

    @Option(name: .customLong("trusted-proxy"), help: "Proxy whose X-Forwarded-For is believed; repeatable (env ATTENDIFY_TRUSTED_PROXIES).")
    var trustedProxies: [String] = []

    func validate() throws {
        if let text = rateLimits ?? Environment.value("ATTENDIFY_RATE_LIMITS"), !["on", "off"].contains(text) {
            throw ValidationError("--rate-limits must be on or off, got \(text)")
        }
    }

    func run() async throws {
        var config = ServeConfig(port: 8081)
        site.apply(to: &config)
        config.host = host ?? Environment.value("ATTENDIFY_HOST") ?? config.host
        if let port = try port ?? Environment.value("ATTENDIFY_PORT").map(ServeCommand.parsePort) { config.port = port }
        config.tracker.rateLimitsEnabled = (rateLimits ?? Environment.value("ATTENDIFY_RATE_LIMITS") ?? "on") == "on"
        config.allowedOrigins = Set(allowedOrigins + Environment.list("ATTENDIFY_ALLOWED_ORIGINS"))
        config.trustedProxies = Set(trustedProxies + Environment.list("ATTENDIFY_TRUSTED_PROXIES"))
        let logger = Logger(label: "attendify.api")
        let dependencies = try await AppDependencies.build(config: config, logger: logger)
        try await buildAPIApplication(config: config, dependencies: dependencies).runService()
    }
}
