import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Accounts: register, login, logout, me.
struct AuthController<Context: APIRequestContext>: Sendable {
    let database: AppDatabase
    let config: APIConfig
    let hasher: PasswordHasher
    let limits: AuthLimits
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/auth/register") { request, context in try await register(request, context) }
        routes.on(.post, "/api/auth/login") { request, context in try await login(request, context) }
        routes.on(.post, "/api/auth/logout") { request, context in try await logout(request, context) }
        routes.on(.get, "/api/auth/me") { _, context in try JSONResponse.make(UserResponse(try context.requireUser())) }
        // For the panel's first load: "am I signed in?" answered without an error status.
        routes.on(.get, "/api/auth/session") { _, context in try JSONResponse.make(SessionResponse(user: context.identity.map(UserResponse.init))) }
    }

    func register(_ request: Request, _ context: Context) async throws -> Response {
        let client = context.clientAddress(request, trustedProxies: config.trustedProxies)
        if config.rateLimitsEnabled, let wait = limits.registrations.retryAfter(client, now: now()) {
            throw APIError.rateLimited(retryAfter: wait)
        }
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["email", "password", "full_name"])
        let email = fields.string("email", required: true, maximumLength: EmailAddress.maximumLength)?.trimmingCharacters(in: .whitespaces)
        let password = fields.string("password", required: true, maximumLength: PasswordHasher.maximumLength)
        let fullName = fields.string("full_name", maximumLength: 200).map { PlainText.normalized($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        if let email, let problem = EmailAddress.problem(email) { fields.add(ValidationFailure(field: "email", message: problem)) }
        if let password, password.count < PasswordHasher.minimumLength {
            fields.add(ValidationFailure(field: "password", message: "must be at least \(PasswordHasher.minimumLength) characters"))
        }
        try fields.finish()
        guard let email, let password else { throw APIError.validation([]) }
        limits.registrations.record(client, now: now())
        let hash = try await hasher.hash(password)
        do {
            let user = try database.createUser(email: email, passwordHash: hash, fullName: fullName?.isEmpty == true ? nil : fullName, now: now())
            return try JSONResponse.make(UserResponse(user), status: .created)
        } catch StorageError.emailTaken {
            throw APIError.emailTaken
        }
    }

    func login(_ request: Request, _ context: Context) async throws -> Response {
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["email", "password"])
        let email = fields.string("email", required: true, maximumLength: EmailAddress.maximumLength)?.trimmingCharacters(in: .whitespaces)
        let password = fields.string("password", required: true, maximumLength: PasswordHasher.maximumLength)
        try fields.finish()
        guard let email, let password else { throw APIError.validation([]) }

        let client = context.clientAddress(request, trustedProxies: config.trustedProxies)
        let emailKey = email.lowercased()
        if config.rateLimitsEnabled,
            let wait = limits.failedLoginsByEmail.retryAfter(emailKey, now: now()) ?? limits.failedLoginsByClient.retryAfter(client, now: now())
        {
            throw APIError.rateLimited(retryAfter: wait)
        }
        // Unknown e-mail and wrong password take the same bcrypt time and give the same answer.
        guard let credentials = try database.credentials(email: email) else {
            try await hasher.burnEquivalentTime()
            recordFailure(emailKey: emailKey, client: client)
            throw APIError.invalidCredentials
        }
        guard try await hasher.verify(password, hash: credentials.passwordHash) else {
            recordFailure(emailKey: emailKey, client: client)
            throw APIError.invalidCredentials
        }
        limits.failedLoginsByEmail.reset(emailKey)

        let token = SessionToken.generate()
        let issued = now()
        let expires = issued.addingTimeInterval(config.sessionLifetime)
        try database.createSession(userID: credentials.user.id, tokenHash: SessionToken.hash(token), now: issued, expiresAt: expires)
        var response = try JSONResponse.make(
            LoginResponse(token: token, expiresAt: RFC3339.format(expires), user: UserResponse(credentials.user)))
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: token, maxAge: Int(config.sessionLifetime), path: "/",
                secure: config.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    func logout(_ request: Request, _ context: Context) async throws -> Response {
        _ = try context.requireUser()
        if let token = AuthMiddleware<Context>.presentedToken(request) {
            try database.deleteSession(tokenHash: SessionToken.hash(token))
        }
        var response = Response(status: .noContent)
        response.setCookie(
            Cookie(name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    private func recordFailure(emailKey: String, client: String) {
        limits.failedLoginsByEmail.record(emailKey, now: now())
        limits.failedLoginsByClient.record(client, now: now())
    }
}

/// The in-memory limiters of the auth routes.
struct AuthLimits: Sendable {
    let failedLoginsByEmail: AttemptLimiter
    let failedLoginsByClient: AttemptLimiter
    let registrations: AttemptLimiter

    init(config: APIConfig) {
        failedLoginsByEmail = AttemptLimiter(limit: config.loginFailuresPerEmail, window: config.loginWindow)
        failedLoginsByClient = AttemptLimiter(limit: config.loginFailuresPerClient, window: config.loginWindow)
        registrations = AttemptLimiter(limit: config.registrationsPerClient, window: config.registrationWindow)
    }
}
