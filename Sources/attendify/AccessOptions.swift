import ArgumentParser

/// Who may do how much, shared by `serve`, `api` and `track`: the global rate-limit switch and
/// the proxies whose `X-Forwarded-For` is believed. Environment fallbacks as everywhere.
struct AccessOptions: ParsableArguments {
    @Option(
        name: .customLong("rate-limits"),
        help: "on|off: switch every rate limiter at once; off is for load tests (env ATTENDIFY_RATE_LIMITS; default on).")
    var rateLimits: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: "Address of a reverse proxy whose X-Forwarded-For is believed; repeatable (env ATTENDIFY_TRUSTED_PROXIES, comma-separated).")
    var trustedProxies: [String] = []

    func validate() throws {
        if let text = rateLimitsText, !["on", "off"].contains(text) {
            throw ValidationError("--rate-limits must be on or off, got \(text)")
        }
    }

    private var rateLimitsText: String? { rateLimits ?? Environment.value("ATTENDIFY_RATE_LIMITS") }

    var rateLimitsEnabled: Bool { (rateLimitsText ?? "on") == "on" }

    var trustedProxySet: Set<String> { Set(trustedProxies + Environment.list("ATTENDIFY_TRUSTED_PROXIES")) }
}

/// Browser origins allowed to call the API besides the public URL's own (`serve` and `api`).
struct OriginOptions: ParsableArguments {
    @Option(
        name: .customLong("allowed-origin"),
        help: "Extra browser origin allowed to call the API; repeatable (env ATTENDIFY_ALLOWED_ORIGINS, comma-separated).")
    var allowedOrigins: [String] = []

    var allowedOriginSet: Set<String> { Set(allowedOrigins + Environment.list("ATTENDIFY_ALLOWED_ORIGINS")) }
}
