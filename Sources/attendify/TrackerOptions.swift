import ArgumentParser
import EdgeTracker

/// Click-counting flags shared by `serve` and `track`, each with an environment fallback.
struct TrackerOptions: ParsableArguments {
    @Option(
        name: .customLong("click-limit"),
        help: "Counted clicks per visitor per event per minute; more are redirected but not counted. 0 = no limit (env ATTENDIFY_CLICK_LIMIT; default 10).")
    var clickLimit: Int?

    @Flag(
        name: .customLong("store-client-info"),
        help: "Store each click's IP address and user agent. Off by default: enable only with a legal basis (env ATTENDIFY_STORE_CLIENT_INFO=1).")
    var storeClientInfo = false

    @OptionGroup var access: AccessOptions

    @Option(name: .customLong("metrics-port"), help: "Loopback port for Prometheus /metrics (env ATTENDIFY_METRICS_PORT).")
    var metricsPort: Int?

    func validate() throws {
        if let limit = try clickLimitValue(), limit < 0 {
            throw ValidationError("--click-limit must be 0 (no limit) or a positive number, got \(limit)")
        }
    }

    private func clickLimitValue() throws -> Int? {
        if let clickLimit { return clickLimit }
        guard let text = Environment.value("ATTENDIFY_CLICK_LIMIT") else { return nil }
        guard let value = Int(text) else { throw ValidationError("ATTENDIFY_CLICK_LIMIT must be a number, got \(text)") }
        return value
    }

    func resolvedMetricsPort() throws -> Int? {
        if let metricsPort { return metricsPort }
        return try Environment.value("ATTENDIFY_METRICS_PORT").map(ServeCommand.parsePort)
    }

    func trackerConfig() throws -> TrackerConfig {
        var config = TrackerConfig()
        if let limit = try clickLimitValue() { config.clickLimitPerMinute = limit }
        config.rateLimitsEnabled = access.rateLimitsEnabled
        config.storeClientInfo = storeClientInfo || ["1", "true", "on", "yes"].contains(Environment.value("ATTENDIFY_STORE_CLIENT_INFO") ?? "")
        config.trustedProxies = access.trustedProxySet
        return config
    }
}

import Foundation
