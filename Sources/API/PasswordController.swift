import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Passwords: changing one while signed in, and resetting a forgotten one through a mailed link.
struct PasswordController<Context: APIRequestContext>: Sendable {
    let support: AccountSupport
    let resetsByEmail: AttemptLimiter
    let resetsByClient: AttemptLimiter

    init(support: AccountSupport) {
        self.support = support
        resetsByEmail = AttemptLimiter(limit: support.config.passwordResetsPerEmail, window: support.config.passwordResetWindow)
        resetsByClient = AttemptLimiter(limit: support.config.passwordResetsPerClient, window: support.config.passwordResetWindow)
    }

    var database: any DataStore { support.database }
    var config: APIConfig { support.config }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/auth/password") { request, context in try await change(request, context) }
        routes.on(.post, "/api/auth/password-reset") { request, context in try await requestReset(request, context) }
        routes.on(.post, "/api/auth/password-reset/confirm") { request, context in try await confirmReset(request, context) }
    }

    /// `POST /api/auth/password`: the current password proves it is the owner; every other
    /// session ends (a thief signed in elsewhere is out), this one stays.
    func change(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["current_password", "new_password"])
        let current = fields.string("current_password", required: true, maximumLength: PasswordHasher.maximumLength)
        let new = Self.newPassword(&fields)
        try fields.finish()
        guard let current, let new else { throw APIError.validation([]) }
        try await support.reauthenticate(user, password: current)
        let hash = try await support.hasher.hash(new)
        var keep: Int64?
        if case .session(let id) = context.grant { keep = id }
        try database.setPassword(userID: user.id, passwordHash: hash, keepingSession: keep, now: support.now())
        try support.queue(AccountMail.passwordChanged(to: user.email, language: support.language(userID: user.id)), userID: user.id)
        return Response(status: .noContent)
    }

    /// `POST /api/auth/password-reset`: 202 with the same words whether or not the address has
    /// an account, so the answer tells nobody who is registered.
    func requestReset(_ request: Request, _ context: Context) async throws -> Response {
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["email"])
        let email = fields.string("email", required: true, maximumLength: EmailAddress.maximumLength)?.trimmingCharacters(in: .whitespaces)
        if let email, let problem = EmailAddress.problem(email) { fields.add(ValidationFailure(field: "email", message: problem)) }
        try fields.finish()
        guard let email else { throw APIError.validation([]) }
        if config.rateLimitsEnabled {
            // Counted for unknown addresses too: the limit must not reveal which ones exist.
            if let wait = resetsByEmail.reserve(email.lowercased(), now: support.now()) { throw APIError.rateLimited(retryAfter: wait) }
            let client = context.clientAddress(request, trustedProxies: config.trustedProxies)
            if let wait = resetsByClient.reserve(client, now: support.now()) { throw APIError.rateLimited(retryAfter: wait) }
        }
        if let user = try database.user(email: email) {
            let token = try support.issueLinkToken(userID: user.id, purpose: .passwordReset)
            let mail = AccountMail.passwordReset(
                to: user.email, link: support.link(token: token, screen: "reset-password"), language: support.language(userID: user.id))
            try support.queue(mail, userID: user.id)
        }
        return try JSONResponse.make(
            MessageResponse(message: "If an account exists for this address, a mail with a link to choose a new password is on its way."),
            status: .accepted)
    }

    /// `POST /api/auth/password-reset/confirm`: the link's token, once, within its hour. Every
    /// session of the account ends: whoever knew the old password is signed out.
    func confirmReset(_ request: Request, _ context: Context) async throws -> Response {
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["token", "new_password"])
        let token = fields.string("token", required: true, maximumLength: 200)
        let new = Self.newPassword(&fields)
        try fields.finish()
        guard let token, let new else { throw APIError.validation([]) }
        // Redeemed before bcrypt, so made-up tokens cost no password work; when the hash cannot
        // be made (too many password checks waiting), the link is put back for another try.
        let tokenHash = SessionToken.hash(token)
        guard SessionToken.looksValid(token),
            let redeemed = try database.redeemAccountToken(tokenHash: tokenHash, purpose: .passwordReset, now: support.now())
        else { throw AccountSupport.linkTokenProblem() }
        let hash: String
        do {
            hash = try await support.hasher.hash(new)
        } catch {
            try? database.createAccountToken(userID: redeemed.userID, purpose: .passwordReset, tokenHash: tokenHash, newEmail: nil, now: support.now())
            throw error
        }
        do {
            try database.setPassword(userID: redeemed.userID, passwordHash: hash, keepingSession: nil, now: support.now())
        } catch StorageError.notFound {
            throw AccountSupport.linkTokenProblem()  // the account was deleted meanwhile
        }
        return Response(status: .noContent)
    }

    static func newPassword(_ fields: inout JSONFields) -> String? {
        let password = fields.string("new_password", required: true, maximumLength: PasswordHasher.maximumLength)
        if let password, password.count < PasswordHasher.minimumLength {
            fields.add(ValidationFailure(field: "new_password", message: "must be at least \(PasswordHasher.minimumLength) characters"))
            return nil
        }
        return password
    }
}
