import Core
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// What API handlers need from a request context: who is signed in, and how.
/// The server's concrete context conforms; the API never knows its type.
public protocol APIRequestContext: RequestContext, RemoteAddressRequestContext {
    var identity: User? { get set }
    /// True when the identity came from the session cookie (CSRF rules apply), false for a bearer token.
    var authenticatedByCookie: Bool { get set }
    /// How the identity was proven: which session, or which API token with which scopes.
    var grant: Grant? { get set }
}

extension APIRequestContext {
    /// The signed-in organizer, or a 401.
    func requireUser() throws -> User {
        guard let identity else { throw APIError.unauthenticated }
        return identity
    }

    /// The client's address for rate limits (see `ClientAddress`).
    func clientAddress(_ request: Request, trustedProxies: Set<String>) -> String {
        ClientAddress.resolve(
            peer: remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor].last,
            trustedProxies: trustedProxies) ?? "unknown"
    }
}
