import Core
import Foundation

/// Response bodies of the self-service routes (optional values are encoded as null: the
/// contract lists every key).
struct APITokenResponse: Encodable {
    var token: APIToken
    /// The secret, only in the answer that created it.
    var secret: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(token.id, forKey: .id)
        try container.encode(token.name, forKey: .name)
        try container.encode(token.scopes.map(\.rawValue), forKey: .scopes)
        try container.encode(RFC3339.format(token.createdAt), forKey: .createdAt)
        try container.encode(token.expiresAt.map(RFC3339.format), forKey: .expiresAt)
        try container.encode(token.lastUsedAt.map(RFC3339.format), forKey: .lastUsedAt)
        if let secret { try container.encode(secret, forKey: .token) }
    }

    enum Keys: String, CodingKey {
        case id, name, scopes, token
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
    }
}

struct APITokenListResponse: Encodable {
    var tokens: [APITokenResponse]
}

struct WebhookResponse: Encodable {
    var webhook: Webhook
    /// The signing secret, only in the answer that created it.
    var withSecret = false

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(webhook.id, forKey: .id)
        try container.encode(webhook.url, forKey: .url)
        try container.encode(webhook.events.map(\.rawValue), forKey: .events)
        try container.encode(webhook.description, forKey: .description)
        try container.encode(RFC3339.format(webhook.createdAt), forKey: .createdAt)
        try container.encode(webhook.lastDelivery.map(DeliveryStateResponse.init), forKey: .lastDelivery)
        if withSecret { try container.encode(webhook.secret, forKey: .secret) }
    }

    enum Keys: String, CodingKey {
        case id, url, events, description, secret
        case createdAt = "created_at"
        case lastDelivery = "last_delivery"
    }
}

struct DeliveryStateResponse: Encodable {
    var status: String
    var attempts: Int
    var responseStatus: Int?
    var at: String

    init(_ state: WebhookDeliveryState) {
        status = state.status.rawValue
        attempts = state.attempts
        responseStatus = state.responseStatus
        at = RFC3339.format(state.at)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(responseStatus, forKey: .responseStatus)
        try container.encode(at, forKey: .at)
    }

    enum Keys: String, CodingKey {
        case status, attempts, at
        case responseStatus = "response_status"
    }
}

struct WebhookListResponse: Encodable {
    var webhooks: [WebhookResponse]
}

struct SessionInfoResponse: Encodable {
    var id: Int64
    var createdAt: String
    var expiresAt: String
    var current: Bool

    init(_ session: SessionInfo, current: Bool) {
        id = session.id
        createdAt = RFC3339.format(session.createdAt)
        expiresAt = RFC3339.format(session.expiresAt)
        self.current = current
    }

    enum CodingKeys: String, CodingKey {
        case id, current
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }
}

struct SessionListResponse: Encodable {
    var sessions: [SessionInfoResponse]
}

struct MessageResponse: Encodable {
    var message: String
}

struct PendingEmailResponse: Encodable {
    var pendingEmail: String

    enum CodingKeys: String, CodingKey {
        case pendingEmail = "pending_email"
    }
}
