import Core
import API
import EdgeTracker
import Foundation

/// Everything `attendify serve` needs, as one plain value: the CLI builds it from flags and
/// environment, tests build it directly.
public struct ServeConfig: Sendable {
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported through `onReady`.
    public var port: Int
    public var databasePath: String
    /// File holding the PostgreSQL password when `databasePath` is a postgres:// URL.
    public var databasePasswordFile: String?
    public var outputDirectory: String
    /// Folder of the Mustache templates; nil uses the copy of `Templates/` embedded in the binary.
    public var templatesDirectory: String?
    /// Origin written into embed codes and used as the `.ics` UID host.
    public var publicURL: URL
    /// Whether `serve` rebuilds every event's files before it starts answering.
    public var regenerateOnStart: Bool
    /// How `/track` counts clicks.
    public var tracker: TrackerConfig = TrackerConfig()
    /// Loopback port for Prometheus `/metrics`; nil serves none.
    public var metricsPort: Int?
    /// Extra browser origins allowed to call `/api` (the public URL's origin always is).
    public var allowedOrigins: Set<String> = []
    /// Proxies whose `X-Forwarded-For` is believed, for every limiter.
    public var trustedProxies: Set<String> = []
    /// bcrypt cost for new passwords.
    public var bcryptCost: UInt8 = 12
    /// Password checks running or waiting at once before the API answers 503 (nil: the API's default).
    public var maximumPendingPasswordChecks: Int?
    /// Folder of the organizer panel's static files, served at `/`; nil serves the copy of
    /// `Panel/` embedded in the binary.
    public var panelDirectory: String?
    /// Where mail goes and how webhooks are delivered.
    public var outbox = OutboxConfig()
    /// Shared by the API (which rings) and the dispatchers (which wait), so one value per server.
    public var outboxSignals = OutboxSignals()

    /// The API's settings derived from this config.
    public var api: APIConfig {
        var config = APIConfig(publicURL: publicURL, allowedOrigins: allowedOrigins)
        config.rateLimitsEnabled = tracker.rateLimitsEnabled
        config.trustedProxies = trustedProxies
        config.bcryptCost = bcryptCost
        if let maximumPendingPasswordChecks { config.maximumPendingPasswordChecks = maximumPendingPasswordChecks }
        config.webhooksAllowPrivate = outbox.webhooksAllowPrivate
        config.outboxSignals = outboxSignals
        return config
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "./data/attendify.sqlite",
        outputDirectory: String = "./out", templatesDirectory: String? = nil,
        publicURL: URL = URL(string: "http://127.0.0.1:8080")!, regenerateOnStart: Bool = true
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.outputDirectory = outputDirectory
        self.templatesDirectory = templatesDirectory
        self.publicURL = publicURL
        self.regenerateOnStart = regenerateOnStart
    }

    /// How the CLI picks the templates' and the panel's folder: the flag, else the environment
    /// variable, else `local` (`./Templates`, `./Panel`: the documented default of a checkout)
    /// when that folder exists in the working directory, else nil: the embedded copy. So an
    /// installed binary works from any folder, and a checkout's folders still win where they are.
    public static func assetFolder(flag: String?, environment: String?, local: String) -> String? {
        if let chosen = flag ?? environment { return chosen }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return local
    }

    /// Host part of the public URL: the right-hand side of every `.ics` UID.
    public var uidHost: String { publicURL.host ?? "localhost" }
}
