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

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp(
            "Close a connection that has not sent a complete request head within this many seconds of opening or of its last answer (slow clients, idle keep-alive). `attendify track` only: `serve` answers /track through Hummingbird (env ATTENDIFY_REQUEST_TIMEOUT; default 10).",
            valueName: "seconds"))
    var requestTimeout: Double?

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Open connections beyond this are closed at once; also kept below the open-file limit (RLIMIT_NOFILE, whose soft value is raised toward the hard one). `attendify track` only (env ATTENDIFY_MAX_CONNECTIONS; default 4096).",
            valueName: "n"))
    var maxConnections: Int?

    func validate() throws {
        if let limit = try clickLimitValue(), limit < 0 {
            throw ValidationError("--click-limit must be 0 (no limit) or a positive number, got \(limit)")
        }
        _ = try requestTimeoutValue()
        _ = try maxConnectionsValue()
    }

    /// Longest accepted `--request-timeout`: beyond an hour it no longer protects anything.
    static let maximumRequestTimeout = 3_600.0
    static let maximumConnections = 1_000_000

    private func requestTimeoutValue() throws -> Double? {
        guard let value = try Environment.value(flag: requestTimeout, "ATTENDIFY_REQUEST_TIMEOUT") else { return nil }
        guard value.isFinite, value >= 0.1, value <= Self.maximumRequestTimeout else {
            throw ValidationError("--request-timeout must be from 0.1 to \(Int(Self.maximumRequestTimeout)) seconds, got \(value)")
        }
        return value
    }

    private func maxConnectionsValue() throws -> Int? {
        guard let value = try Environment.value(flag: maxConnections, "ATTENDIFY_MAX_CONNECTIONS") else { return nil }
        guard (1...Self.maximumConnections).contains(value) else {
            throw ValidationError("--max-connections must be from 1 to \(Self.maximumConnections), got \(value)")
        }
        return value
    }

    private func clickLimitValue() throws -> Int? {
        try Environment.value(flag: clickLimit, "ATTENDIFY_CLICK_LIMIT")
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
        if let seconds = try requestTimeoutValue() { config.requestTimeout = .milliseconds(Int64((seconds * 1_000).rounded())) }
        if let connections = try maxConnectionsValue() { config.maxConnections = connections }
        return config
    }
}

import Foundation
