import Core
import HTTPTypes

/// Who may call each route, decided in this one table so that no route is forgotten: a new
/// route falls under the rules by its method and path, and tests walk every route through it.
enum RouteAccess: Equatable, Sendable {
    /// No sign-in needed (register, login, password reset, the mailed links).
    case anyone
    /// A session or any API token ("who am I").
    case anySignIn
    /// Managing the account (password, e-mail, sessions, tokens, webhooks, export, deletion):
    /// a signed-in session only, so a leaked script token cannot take the account over.
    case session
    /// A session, or a token with this scope.
    case scope(APIScope)

    static func of(method: HTTPRequest.Method, path: String) -> RouteAccess {
        switch path {
        case "/api/auth/register", "/api/auth/login", "/api/auth/password-reset", "/api/auth/password-reset/confirm",
            "/api/auth/email/confirm":
            return .anyone
        case "/api/auth/me", "/api/auth/session":
            return .anySignIn
        default:
            break
        }
        if path.hasPrefix("/api/auth/") || path == "/api/account" || path.hasPrefix("/api/account/") || path.hasPrefix("/api/tokens")
            || path.hasPrefix("/api/webhooks")
        {
            return .session
        }
        if path == "/api/stats" || path.hasSuffix("/stats") { return .scope(.statsRead) }
        // Previews render without storing anything: reading.
        if method == .get || method == .head || path.hasSuffix("/preview") { return .scope(.eventsRead) }
        return .scope(.eventsWrite)
    }

    /// Throws the 403 a grant gets when it may not use a route with this access.
    func check(_ grant: Grant?) throws {
        guard case .token(_, let scopes) = grant else { return }  // sessions and anonymous callers: the handler decides
        switch self {
        case .anyone, .anySignIn: return
        case .session: throw APIError.sessionRequired
        case .scope(let needed): if !scopes.contains(needed) { throw APIError.insufficientScope(needed) }
        }
    }
}
