import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Accounts: register, login, logout, me.
struct AuthController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
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
        // Reserved before bcrypt, in one step with the check: parallel requests cannot slip past.
        if config.rateLimitsEnabled, let wait = limits.registrations.reserve(client, now: now()) {
            throw APIError.rateLimited(retryAfter: wait)
        }
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
        // Every attempt takes its slot before bcrypt, atomically with the check, so 60 parallel
        // guesses get 5 tries and 55 answers of 429; a right password gives its slots back.
        if config.rateLimitsEnabled {
            if let wait = limits.failedLoginsByEmail.reserve(emailKey, now: now()) { throw APIError.rateLimited(retryAfter: wait) }
            if let wait = limits.failedLoginsByClient.reserve(client, now: now()) {
                limits.failedLoginsByEmail.release(emailKey)
                throw APIError.rateLimited(retryAfter: wait)
            }
        }
        let credentials: Credentials
        do {
            credentials = try await checkPassword(password, email: email)
        } catch let error as APIError {
            // A guess that was never checked (the password gate was full) does not count.
            if case .unavailable = error, config.rateLimitsEnabled {
                limits.failedLoginsByEmail.release(emailKey)
                limits.failedLoginsByClient.release(client)
            }
            throw error
        }
        if config.rateLimitsEnabled {
            limits.failedLoginsByEmail.reset(emailKey)
            limits.failedLoginsByClient.release(client)
        }

        let token = SessionToken.generate()
        let issued = now()
        let expires = issued.addingTimeInterval(config.sessionLifetime)
        try database.createSession(userID: credentials.user.id, tokenHash: SessionToken.hash(token), now: issued, expiresAt: expires)
        var response = try JSONResponse.make(
            LoginResponse(token: token, expiresAt: RFC3339.format(expires), user: UserResponse(credentials.user)))
        response.setCookie(SessionCookie.issued(token, config: config))
        return response
    }

    /// The account when the password is right; unknown e-mail and wrong password take the same
    /// bcrypt time and give the same answer.
    private func checkPassword(_ password: String, email: String) async throws -> Credentials {
        guard let credentials = try database.credentials(email: email) else {
            try await hasher.burnEquivalentTime()
            throw APIError.invalidCredentials
        }
        guard try await hasher.verify(password, hash: credentials.passwordHash) else { throw APIError.invalidCredentials }
        return credentials
    }

    func logout(_ request: Request, _ context: Context) async throws -> Response {
        _ = try context.requireUser()
        if let token = AuthMiddleware<Context>.presentedToken(request) {
            try database.deleteSession(tokenHash: SessionToken.hash(token))
        }
        var response = Response(status: .noContent)
        response.setCookie(SessionCookie.cleared(config: config))
        return response
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
