import Core
import Foundation
import Server
import TestSupport
import Testing

/// Reproductions of the hardening report, each a test that failed on the code before the fix:
/// parallel guesses past the login limit, unbounded bcrypt work, login CSRF, deleted events that
/// came back (or answered 500) when a DELETE raced PUTs, and inputs that slipped past validation.
@Suite struct HardeningAPITests {
    static let evil = "https://evil.example"

    /// 60 wrong passwords for one e-mail sent at once: the limit (5 per window) holds because each
    /// attempt reserves its slot before bcrypt, in the same step as the check.
    @Test func parallelGuessesGetOnlyTheAllowedTries() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            _ = try await api.signUp("target@example.com")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        try await api.call("POST", "/api/auth/login", json: ["email": "target@example.com", "password": "guess guess"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 55, "\(statuses)")
        }
    }

    /// With limits off (or from many addresses) bcrypt work is still bounded: requests past the
    /// gate's capacity are answered 503 with Retry-After at once instead of queueing seconds of CPU.
    @Test func passwordChecksBeyondTheGateAreRefusedAtOnce() async throws {
        try await withRunningServer(
            demo: false,
            configure: {
                $0.tracker.rateLimitsEnabled = false
                $0.bcryptCost = 12
                $0.maximumPendingPasswordChecks = 2
            }
        ) { http, _ in
            let api = APIClient(http: http)
            let replies = try await withThrowingTaskGroup(of: APIClient.Reply.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await api.call("POST", "/api/auth/login", json: ["email": "u\(index)@example.com", "password": "guess guess"])
                    }
                }
                return try await group.reduce(into: [APIClient.Reply]()) { $0.append($1) }
            }
            let refused = replies.filter { $0.status == 503 }
            #expect(!refused.isEmpty, "\(replies.map(\.status))")
            #expect(refused.allSatisfy { Int($0.response.header("Retry-After") ?? "") ?? 0 >= 1 })
            #expect(replies.allSatisfy { $0.status == 401 || $0.status == 503 }, "\(replies.map(\.status))")
        }
    }

    /// A cross-site form can post `text/plain` without a preflight: it must neither sign the
    /// browser in nor reach any handler.
    @Test func loginCSRFIsRefused() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            _ = try await api.signUp("victim@example.com")
            let body = Array(#"{"email": "victim@example.com", "password": "correct horse battery"}"#.utf8)
            let form = try await http.send(
                "POST", "/api/auth/login", headers: [("Content-Type", "text/plain"), ("Origin", Self.evil)], body: body)
            #expect(form.status == 403)
            #expect(form.header("Set-Cookie") == nil)
            let json = try await http.send(
                "POST", "/api/auth/login", headers: [("Content-Type", "application/json"), ("Origin", Self.evil)], body: body)
            #expect(json.status == 403)
            #expect(json.header("Set-Cookie") == nil)
            let nullOrigin = try await http.send(
                "POST", "/api/auth/register", headers: [("Content-Type", "application/json"), ("Origin", "null")],
                body: Array(#"{"email": "n@example.com", "password": "long enough pw"}"#.utf8))
            #expect(nullOrigin.status == 403)
            // No Origin (a script) but not JSON either: 415, never parsed.
            let plain = try await http.send("POST", "/api/auth/login", headers: [("Content-Type", "text/plain")], body: body)
            #expect(plain.status == 415)
            #expect(plain.header("Content-Type") == "application/problem+json")
            let missing = try await http.send("POST", "/api/auth/login", body: body)
            #expect(missing.status == 415)
            // The panel's own origin still works.
            let panel = try await http.send(
                "POST", "/api/auth/login", headers: [("Content-Type", "application/json; charset=utf-8"), ("Origin", APIClient.origin)],
                body: body)
            #expect(panel.status == 200)
        }
    }

    @Test func everyJSONRouteRequiresAJSONContentType() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let body = Array(try JSONSerialization.data(withJSONObject: APIClient.validEvent))
            for (method, path) in [("POST", "/api/events"), ("PUT", "/api/events/\(event.id)"), ("PUT", "/api/settings/iframe")] {
                let reply = try await http.send(
                    method, path, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-www-form-urlencoded")],
                    body: body)
                #expect(reply.status == 415, "\(method) \(path)")
            }
        }
    }

    /// A DELETE racing PUTs and a settings change on the same event: afterwards the widget and
    /// the .ics are gone, and no request got a 5xx (before: resurrected widgets and 500s).
    @Test func deletesRacingEditsNeverComeBack() async throws {
        try await withRunningServer(demo: false, configure: { $0.tracker.rateLimitsEnabled = false }) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("storm@example.com")
            var statuses: [Int] = []
            var resurrected: [String] = []
            for trial in 0..<25 {
                let event = try await api.createEvent(token: token)
                let eventID = event.id
                let trialStatuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask { try await api.call("DELETE", "/api/events/\(eventID)", token: token).status }
                    for edit in 0..<4 {
                        group.addTask {
                            try await api.call("PUT", "/api/events/\(eventID)", json: ["title": "Edit \(trial)-\(edit)"], token: token).status
                        }
                    }
                    group.addTask {
                        try await api.call(
                            "PUT", "/api/settings/iframe", json: ["iframe_defaults": ["accent_color": trial % 2 == 0 ? "#112233" : "#445566"]],
                            token: token
                        ).status
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                statuses += trialStatuses
                let widget = try await http.send("GET", "/widget/event/\(event.publicID)")
                let ics = try await http.send("GET", "/calendar/\(event.publicID)/download.ics")
                let folder = "\(site.outputDirectory)/widget/event/\(event.publicID)"
                if widget.status != 404 || ics.status != 404 || FileManager.default.fileExists(atPath: folder) {
                    resurrected.append(event.publicID)
                }
            }
            #expect(statuses.allSatisfy { $0 < 500 }, "\(statuses.filter { $0 >= 500 })")
            #expect(resurrected.isEmpty, "deleted but still served: \(resurrected)")
        }
    }

    @Test(arguments: ["9999-12-31T23:00:00-05:00", "1970-01-01T00:30:00+01:00"])
    func instantsOutsideTheYearRangeAre422(_ value: String) async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let reply = try await api.call(
                "POST", "/api/events", json: APIClient.validEvent.merging(["start_datetime": value, "end_datetime": "9999-12-31T23:59:59Z"]) { $1 },
                token: token)
            #expect(reply.status == 422, "\(value)")
            #expect(reply.errorFields == ["start_datetime"], "\(value)")
        }
    }

    @Test(arguments: [
        "<script>@example.com", "\"quoted\"@example.com", "a@[127.0.0.1]", "a@exa mple.com", "a@-example.com", "a@example..com",
        "a..b@example.com", ".a@example.com", "a@example.com\r\nBcc: x@example.com", "a(b)@example.com", "a@localhost",
    ])
    func hostileEmailsAre422(_ email: String) async throws {
        try await withRunningServer(demo: false) { http, _ in
            let reply = try await APIClient(http: http).call("POST", "/api/auth/register", json: ["email": email, "password": "long enough pw"])
            #expect(reply.status == 422, "\(email)")
            #expect(reply.errorFields == ["email"], "\(email)")
        }
    }

    @Test(arguments: ["ann.o'neil+webinars@example.co.uk", "zażółć@gęślą.pl", "x_y-z@sub.example-host.com"])
    func realEmailsAreAccepted(_ email: String) async throws {
        try await withRunningServer(demo: false) { http, _ in
            let reply = try await APIClient(http: http).call("POST", "/api/auth/register", json: ["email": email, "password": "long enough pw"])
            #expect(reply.status == 201, "\(email): \(reply.response.text)")
        }
    }
}
