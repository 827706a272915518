import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The organizer's signed-in sessions: listed without any device detail (we store none) and
/// revocable one by one.
struct SessionsController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let config: APIConfig
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/auth/sessions") { _, context in try list(context) }
        routes.on(.delete, "/api/auth/sessions/{id}") { _, context in try revoke(context) }
    }

    func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let current: Int64? = if case .session(let id) = context.grant { id } else { nil }
        let sessions = try database.sessions(userID: user.id, now: now())
        return try JSONResponse.make(SessionListResponse(sessions: sessions.map { SessionInfoResponse($0, current: $0.id == current) }))
    }

    func revoke(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0, try database.deleteSession(id: id, userID: user.id) else {
            throw APIError.notFound
        }
        var response = Response(status: .noContent)
        if case .session(let current) = context.grant, current == id {
            response.setCookie(SessionCookie.cleared(config: config))  // revoking this very session signs out
        }
        return response
    }
}

/// The session cookie's attributes in one place.
enum SessionCookie {
    static func issued(_ token: String, config: APIConfig) -> Cookie {
        Cookie(
            name: SessionToken.cookieName, value: token, maxAge: Int(config.sessionLifetime), path: "/", secure: config.secureCookies,
            httpOnly: true, sameSite: .lax)
    }

    static func cleared(config: APIConfig) -> Cookie {
        Cookie(name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .lax)
    }
}
