import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Personal API tokens for scripts: named, scoped, optionally expiring, shown once.
struct TokensController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let config: APIConfig
    let now: @Sendable () -> Date

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/tokens") { request, context in try await create(request, context) }
        routes.on(.get, "/api/tokens") { _, context in try list(context) }
        routes.on(.delete, "/api/tokens/{id}") { _, context in try revoke(context) }
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["name", "scopes", "expires_at"])
        let name = fields.label("name", required: true, maximumLength: 100)
        let scopes = fields.words("scopes", of: APIScope.self)
        let expiresAt = fields.dateTime("expires_at")
        if let expiresAt, expiresAt <= now() { fields.add(ValidationFailure(field: "expires_at", message: "must be in the future")) }
        try fields.finish()
        guard let name, let scopes else { throw APIError.validation([]) }
        let secret = APITokenSecret.generate()
        do {
            let token = try database.createAPIToken(
                userID: user.id, name: name, scopes: scopes, tokenHash: SessionToken.hash(secret), expiresAt: expiresAt,
                limit: config.maximumTokensPerUser, now: now())
            return try JSONResponse.make(APITokenResponse(token: token, secret: secret), status: .created, headers: [.location: "/api/tokens/\(token.id)"])
        } catch StorageError.limitReached {
            throw APIError.conflict(
                title: "Too many tokens", detail: "An account may have \(config.maximumTokensPerUser) API tokens; revoke one you no longer use.")
        }
    }

    func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return try JSONResponse.make(APITokenListResponse(tokens: try database.apiTokens(userID: user.id).map { APITokenResponse(token: $0) }))
    }

    func revoke(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0, try database.deleteAPIToken(id: id, userID: user.id) else {
            throw APIError.notFound
        }
        return Response(status: .noContent)
    }
}

extension JSONFields {
    /// A one-line name (`DisplayLabel`): trimmed, no line breaks or control characters.
    mutating func label(_ key: String, required: Bool = false, maximumLength: Int) -> String? {
        // Read with room for surrounding whitespace; the length rule applies to the trimmed name.
        guard let raw = string(key, required: required, maximumLength: maximumLength * 4) else { return nil }
        do {
            return try DisplayLabel.validated(raw, field: key, maximumLength: maximumLength)
        } catch {
            add(error)
            return nil
        }
    }

    /// A non-empty array of distinct words from a fixed set (scopes, webhook event types).
    mutating func words<Word: RawRepresentable & CaseIterable>(_ key: String, of type: Word.Type) -> [Word]? where Word.RawValue == String {
        let allowed = Word.allCases.map(\.rawValue).joined(separator: ", ")
        guard let value = value(key) else {
            add(ValidationFailure(field: key, message: "is required"))
            return nil
        }
        guard case .array(let items) = value, !items.isEmpty, items.count <= Word.allCases.count * 2 else {
            add(ValidationFailure(field: key, message: "must be a non-empty array of: \(allowed)"))
            return nil
        }
        var words: [Word] = []
        for item in items {
            guard case .string(let text) = item, let word = Word(rawValue: text) else {
                add(ValidationFailure(field: key, message: "may only hold: \(allowed)"))
                return nil
            }
            guard !words.contains(where: { $0.rawValue == word.rawValue }) else {
                add(ValidationFailure(field: key, message: "must not repeat \(text)"))
                return nil
            }
            words.append(word)
        }
        return words
    }
}
