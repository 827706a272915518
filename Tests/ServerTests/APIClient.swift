import Foundation
import TestSupport

/// JSON over the raw loopback client, for the API tests.
struct APIClient: Sendable {
    let http: RawHTTPClient
    static let origin = "http://127.0.0.1:8080"  // the default public URL's origin

    struct Reply: Sendable {
        let response: RawHTTPClient.Response
        var status: Int { response.status }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        }
        /// Field names listed in a problem's `errors`.
        var errorFields: [String] {
            (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        }
    }

    func call(
        _ method: String, _ path: String, json: Any? = nil, raw: [UInt8]? = nil, token: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        var body: [UInt8] = raw ?? []
        if let json { body = Array(try JSONSerialization.data(withJSONObject: json)) }
        if !body.isEmpty { all.append(("Content-Type", "application/json")) }
        return Reply(response: try await http.send(method, path, headers: all, body: body))
    }

    /// Registers and signs in a fresh organizer; returns the bearer token.
    func signUp(_ email: String, password: String = "correct horse battery") async throws -> String {
        let registered = try await call("POST", "/api/auth/register", json: ["email": email, "password": password])
        guard registered.status == 201 else { throw RawHTTPClient.Failure(description: "register: \(registered.status) \(registered.response.text)") }
        let login = try await call("POST", "/api/auth/login", json: ["email": email, "password": password])
        guard let token = login.json["token"] as? String else { throw RawHTTPClient.Failure(description: "login: \(login.response.text)") }
        return token
    }

    static var validEvent: [String: Any] {[
        "title": "Launch webinar", "description": "Agenda", "start_datetime": "2054-12-01T15:00:00Z",
        "end_datetime": "2054-12-01T16:00:00Z", "timezone": "Europe/Warsaw", "webinar_url": "https://example.com/join",
    ]}

    func createEvent(token: String, _ overrides: [String: Any] = [:]) async throws -> [String: Any] {
        let reply = try await call("POST", "/api/events", json: Self.validEvent.merging(overrides) { $1 }, token: token)
        guard reply.status == 201 else { throw RawHTTPClient.Failure(description: "create: \(reply.status) \(reply.response.text)") }
        return reply.json
    }
}

extension Dictionary where Key == String, Value == Any {
    var id: Int { self["id"] as? Int ?? -1 }
    var publicID: String { self["public_id"] as? String ?? "" }
}
