import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Every failure the API answers with, in domain terms; `ProblemMiddleware` turns each into an
/// RFC 9457 `application/problem+json` response. Messages here are safe to show to clients.
public enum APIError: Error, Sendable {
    case malformedBody(String)
    case unauthenticated
    case forbiddenOrigin
    case notFound
    case emailTaken
    /// The request clashes with what exists (a placement name already used, say).
    case conflict(title: String, detail: String)
    case bodyTooLarge(limit: Int)
    case validation([ValidationIssue])
    case rateLimited(retryAfter: Int)
    case invalidCredentials
    /// Re-authentication failed: the password given to confirm an account change is wrong.
    case wrongPassword
    /// An API token without the scope this route needs.
    case insufficientScope(APIScope)
    /// Account management is for signed-in sessions, never for API tokens.
    case sessionRequired
    case methodNotAllowed(allowed: [String])
    case unsupportedMediaType
    /// Try again shortly: the database is locked by another writer, or too many password checks wait.
    case unavailable(reason: String, retryAfter: Int)
    /// The disk holding the database or the public files is full.
    case insufficientStorage

    var status: HTTPResponse.Status {
        switch self {
        case .malformedBody: .badRequest
        case .unauthenticated, .invalidCredentials: .unauthorized
        case .forbiddenOrigin, .wrongPassword, .insufficientScope, .sessionRequired: .forbidden
        case .notFound: .notFound
        case .emailTaken, .conflict: .conflict
        case .bodyTooLarge: .contentTooLarge
        case .validation: .unprocessableContent
        case .rateLimited: .tooManyRequests
        case .methodNotAllowed: .methodNotAllowed
        case .unsupportedMediaType: .unsupportedMediaType
        case .unavailable: .serviceUnavailable
        case .insufficientStorage: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        }
    }

    var title: String {
        switch self {
        case .malformedBody: "Malformed request body"
        case .unauthenticated: "Not signed in"
        case .invalidCredentials: "Wrong e-mail or password"
        case .forbiddenOrigin: "Cross-site request refused"
        case .wrongPassword: "Wrong password"
        case .insufficientScope: "Insufficient scope"
        case .sessionRequired: "Session required"
        case .notFound: "Not found"
        case .emailTaken: "E-mail already registered"
        case .conflict(let title, _): title
        case .bodyTooLarge: "Request body too large"
        case .validation: "Invalid input"
        case .rateLimited: "Too many requests"
        case .methodNotAllowed: "Method not allowed"
        case .unsupportedMediaType: "Unsupported media type"
        case .unavailable: "Temporarily unavailable"
        case .insufficientStorage: "Insufficient storage"
        }
    }

    var detail: String {
        switch self {
        case .malformedBody(let reason): reason
        case .unauthenticated: "Sign in first: send the session cookie or an Authorization: Bearer token."
        case .invalidCredentials: "The e-mail or the password is wrong."
        case .forbiddenOrigin:
            "A request that changes something must come from an allowed origin: the Origin header, when sent (and always with the session cookie), must be one."
        case .wrongPassword: "The password is wrong; nothing was changed."
        case .insufficientScope(let scope): "This API token lacks the \(scope.rawValue) scope this route needs."
        case .sessionRequired: "API tokens cannot manage the account: sign in to the panel for this."
        case .notFound: "There is nothing here, or it is not yours."
        case .emailTaken: "An account with this e-mail already exists; sign in instead."
        case .conflict(_, let detail): detail
        case .bodyTooLarge(let limit): "The body may be at most \(limit) bytes."
        case .validation(let issues): issues.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
        case .rateLimited(let seconds): "Slow down: try again in \(seconds) seconds."
        case .methodNotAllowed(let allowed): "This path accepts \(allowed.joined(separator: ", "))."
        case .unsupportedMediaType: "Send the body as JSON with Content-Type: application/json."
        case .unavailable(let reason, let seconds): "\(reason) Nothing was changed; try again in \(seconds) seconds."
        case .insufficientStorage: "The server is out of disk space; the operator has been told. Nothing was half-written: try again later."
        }
    }
}

/// The JSON body of a problem response.
struct ProblemDocument: Encodable {
    var type = "about:blank"
    var title: String
    var status: Int
    var detail: String
    var errors: [ValidationIssue]?
}

extension APIError {
    func response() -> Response {
        var issues: [ValidationIssue]?
        if case .validation(let list) = self { issues = list }
        let document = ProblemDocument(title: title, status: Int(status.code), detail: detail, errors: issues)
        var headers: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        if case .rateLimited(let seconds) = self { headers[.retryAfter] = String(seconds) }
        if case .unavailable(_, let seconds) = self { headers[.retryAfter] = String(seconds) }
        if case .methodNotAllowed(let allowed) = self { headers[.allow] = allowed.joined(separator: ", ") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(document)) ?? Data(#"{"status":500,"title":"Error"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// The answer for an operational storage fault (never a bug): 503 with `Retry-After`, or 507.
    init(_ fault: StorageFault) {
        switch fault {
        case .busy: self = .unavailable(reason: "The database is busy with another writer.", retryAfter: 2)
        case .full: self = .insufficientStorage
        case .unavailable: self = .unavailable(reason: "The database cannot be reached right now.", retryAfter: 5)
        }
    }
}
