import ArgumentParser
import Foundation
import Outbound
import Server

/// Mail and webhook flags of the API servers (`serve`, `api`).
struct OutboxOptions: ParsableArguments {
    @Option(
        help: """
            Send mail through this SMTP server (env ATTENDIFY_SMTP_URL): smtp://[user[:password]@]host[:port] \
            (STARTTLS when offered; ?starttls=required insists; ?ca=/path.pem trusts another CA) or smtps://… \
            (TLS from the start). Without it, mail is written to --mail-dir.
            """)
    var smtpURL: String?

    @Option(help: "File holding the SMTP password (env ATTENDIFY_SMTP_PASSWORD_FILE); overrides one in --smtp-url.")
    var smtpPasswordFile: String?

    @Option(help: "From: of every mail (env ATTENDIFY_MAIL_FROM; default \"Attendify <no-reply@HOST>\" of the public URL).")
    var mailFrom: String?

    @Option(help: "Without --smtp-url, each mail is one .eml file in this folder (env ATTENDIFY_MAIL_DIR; default mail/ beside a SQLite --db, so ./data/mail).")
    var mailDir: String?

    @Option(help: "Seconds before a failed mail is retried; each retry waits twice as long, up to 5 minutes (default 5).")
    var mailRetryBase: Double?

    @Flag(
        help: """
            Let webhooks reach loopback, private and link-local addresses, and plain http (env \
            ATTENDIFY_WEBHOOKS_ALLOW_PRIVATE=1). Off by default: organizers could otherwise probe your network.
            """)
    var webhooksAllowPrivate = false

    @Option(help: "Seconds a webhook receiver has to answer (default 10).")
    var webhookTimeout: Double?

    @Option(help: "Seconds before a failed webhook delivery is retried; doubling up to an hour, 12 attempts (default 10).")
    var webhookRetryBase: Double?

    func apply(to config: inout ServeConfig) throws {
        var outbox = config.outbox
        let passwordFile = smtpPasswordFile ?? Environment.value("ATTENDIFY_SMTP_PASSWORD_FILE")
        if let url = smtpURL ?? Environment.value("ATTENDIFY_SMTP_URL") {
            do {
                outbox.mail = .smtp(try SMTPSettings(url: url, passwordFile: passwordFile))
            } catch {
                throw ValidationError("--smtp-url: \(error)")
            }
        } else {
            outbox.mail = .folder(mailDir ?? Environment.value("ATTENDIFY_MAIL_DIR") ?? Self.defaultMailFolder(database: config.databasePath))
        }
        outbox.mailFrom = mailFrom ?? Environment.value("ATTENDIFY_MAIL_FROM")
        outbox.mailRetryBase = try Self.seconds(mailRetryBase, "--mail-retry-base") ?? outbox.mailRetryBase
        outbox.webhookTimeout = try Self.seconds(webhookTimeout, "--webhook-timeout") ?? outbox.webhookTimeout
        outbox.webhookRetryBase = try Self.seconds(webhookRetryBase, "--webhook-retry-base") ?? outbox.webhookRetryBase
        outbox.webhooksAllowPrivate = webhooksAllowPrivate || ["1", "true", "yes", "on"].contains(Environment.value("ATTENDIFY_WEBHOOKS_ALLOW_PRIVATE")?.lowercased() ?? "")
        config.outbox = outbox
    }

    /// `mail/` beside a SQLite database (`./data/mail` for the default one, and a folder the
    /// services may write to when installed); `./data/mail` with PostgreSQL.
    static func defaultMailFolder(database: String) -> String {
        let isURL = database.lowercased().hasPrefix("postgres://") || database.lowercased().hasPrefix("postgresql://")
        guard !isURL else { return "./data/mail" }
        let folder = (database as NSString).deletingLastPathComponent
        return folder.isEmpty ? "./mail" : "\(folder)/mail"
    }

    private static func seconds(_ value: Double?, _ flag: String) throws -> Double? {
        guard let value else { return nil }
        guard value.isFinite, value > 0, value <= 86_400 else { throw ValidationError("\(flag) must be a number of seconds above 0, at most 86400") }
        return value
    }
}
