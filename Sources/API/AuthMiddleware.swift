import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Fills the context's identity from `Authorization: Bearer <token>` or the session cookie, and
/// enforces the CSRF rules on state-changing requests:
/// - any request whose `Origin` is present and not allowed is refused, signed in or not (a
///   cross-site page must not even sign a browser into the attacker's account: login CSRF);
/// - a request authenticated by cookie must carry an allowed `Origin`.
/// Bearer requests without an `Origin` are scripts and pass (browsers never add the header).
struct AuthMiddleware<Context: APIRequestContext>: RouterMiddleware {
    let database: any DataStore
    let allowedOrigins: Set<String>
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = Self.bearerToken(request) {
            if APITokenSecret.looksValid(token) {
                if let found = try database.apiToken(tokenHash: SessionToken.hash(token), now: now()) {
                    context.identity = found.user
                    context.grant = .token(id: found.token.id, scopes: Set(found.token.scopes))
                }
            } else {
                try signIn(&context, sessionToken: token)
            }
            context.authenticatedByCookie = false
        } else if let token = request.cookies[SessionToken.cookieName]?.value {
            try signIn(&context, sessionToken: token)
            context.authenticatedByCookie = context.identity != nil
        }
        if [.post, .put, .delete, .patch].contains(request.method) {
            if let origin = request.headers[.origin] {
                guard allowedOrigins.contains(origin) || Self.isSameOrigin(origin, request) else { throw APIError.forbiddenOrigin }
            } else if context.authenticatedByCookie {
                throw APIError.forbiddenOrigin
            }
        }
        return try await next(request, context)
    }

    private func signIn(_ context: inout Context, sessionToken token: String) throws {
        guard SessionToken.looksValid(token), let session = try database.session(tokenHash: SessionToken.hash(token), now: now()) else { return }
        context.identity = session.user
        context.grant = .session(id: session.sessionID)
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
