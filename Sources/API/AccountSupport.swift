import Core
import Foundation

/// What the self-service controllers share: confirming an account change with the password
/// (limited per account), the organizer's language, and queueing mail with its links.
struct AccountSupport: Sendable {
    let database: any DataStore
    let config: APIConfig
    let hasher: PasswordHasher
    let reauthenticationFailures: AttemptLimiter
    let now: @Sendable () -> Date

    init(database: any DataStore, config: APIConfig, hasher: PasswordHasher, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.config = config
        self.hasher = hasher
        self.reauthenticationFailures = AttemptLimiter(limit: config.reauthenticationFailuresPerUser, window: config.loginWindow)
        self.now = now
    }

    /// Throws `wrongPassword` (403) unless `password` is the signed-in user's; 429 after too many
    /// wrong ones. A right password gives the slot back.
    func reauthenticate(_ user: User, password: String) async throws {
        let key = String(user.id)
        if config.rateLimitsEnabled, let wait = reauthenticationFailures.reserve(key, now: now()) {
            throw APIError.rateLimited(retryAfter: wait)
        }
        guard let credentials = try database.credentials(userID: user.id) else { throw APIError.unauthenticated }
        let matches: Bool
        do {
            matches = try await hasher.verify(password, hash: credentials.passwordHash)
        } catch {
            if config.rateLimitsEnabled { reauthenticationFailures.release(key) }  // never checked: does not count
            throw error
        }
        guard matches else { throw APIError.wrongPassword }
        if config.rateLimitsEnabled { reauthenticationFailures.release(key) }
    }

    /// Mails speak the organizer's language: their defaults' when it is one, else English.
    func language(userID: Int64) -> WidgetLanguage {
        ((try? database.widgetDefaults(userID: userID))?.language?.fixedLanguage) ?? .en
    }

    /// The panel's page for a mailed token: the token in the query (`?token=`), the screen in the
    /// fragment. The panel drops the query from the address bar as soon as it has read it.
    func link(token: String, screen: String) -> String {
        "\(config.publicBase)/?token=\(token)#/\(screen)"
    }

    func queue(_ mail: OutgoingMail, userID: Int64?) throws {
        try database.enqueueMail(mail, userID: userID, now: now())
        config.outboxSignals.mail.fire()
    }

    /// A new single-use token for a mailed link, stored hashed.
    func issueLinkToken(userID: Int64, purpose: AccountTokenPurpose, newEmail: String? = nil) throws -> String {
        let token = SessionToken.generate()
        try database.createAccountToken(userID: userID, purpose: purpose, tokenHash: SessionToken.hash(token), newEmail: newEmail, now: now())
        return token
    }

    /// The token of a mailed link from a request body, or a 422 naming the `token` field.
    static func linkTokenProblem() -> APIError {
        .validation([ValidationIssue(field: "token", message: "is invalid, used or expired: ask for a new link")])
    }
}
