import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Fills the context's identity from `Authorization: Bearer <token>` or the session cookie, and
/// enforces the CSRF rule: a state-changing request authenticated by cookie must carry an
/// `Origin` from the allowed list. Bearer requests are exempt (browsers never add them on their own).
struct AuthMiddleware<Context: APIRequestContext>: RouterMiddleware {
    let database: AppDatabase
    let allowedOrigins: Set<String>
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = Self.bearerToken(request) {
            context.identity = try lookup(token)
            context.authenticatedByCookie = false
        } else if let token = request.cookies[SessionToken.cookieName]?.value {
            context.identity = try lookup(token)
            context.authenticatedByCookie = context.identity != nil
        }
        if context.authenticatedByCookie, [.post, .put, .delete, .patch].contains(request.method) {
            guard let origin = request.headers[.origin], allowedOrigins.contains(origin) || Self.isSameOrigin(origin, request)
            else { throw APIError.forbiddenOrigin }
        }
        return try await next(request, context)
    }

    private func lookup(_ token: String) throws -> User? {
        guard SessionToken.looksValid(token) else { return nil }
        return try database.user(sessionTokenHash: SessionToken.hash(token), now: now())
    }

    /// The page that sent the request was served by this very host (e.g. the panel opened as
    /// `localhost` rather than the configured public name). A cross-site attacker cannot make a
    /// browser send an Origin equal to the Host it is sending to.
    static func isSameOrigin(_ origin: String, _ request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The token this request authenticated with, whichever way it came.
    static func presentedToken(_ request: Request) -> String? {
        bearerToken(request) ?? request.cookies[SessionToken.cookieName]?.value
    }
}
