import Foundation
import TestSupport
import Testing

@Suite struct AuthAPITests {
    @Test func registerLoginMeLogout() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let registered = try await api.call(
                "POST", "/api/auth/register", json: ["email": "Ann@Example.com", "password": "correct horse battery", "full_name": "Ann"])
            #expect(registered.status == 201)
            #expect(registered.json["email"] as? String == "Ann@Example.com")
            #expect(registered.json["full_name"] as? String == "Ann")
            #expect(registered.json["password_hash"] == nil)

            let login = try await api.call("POST", "/api/auth/login", json: ["email": "ann@example.com", "password": "correct horse battery"])
            #expect(login.status == 200)
            let token = try #require(login.json["token"] as? String)
            #expect(token.count == 43)
            #expect(login.json["expires_at"] is String)
            let cookie = try #require(login.response.header("Set-Cookie"))
            #expect(cookie.hasPrefix("attendify_session=\(token)"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))  // the test site is plain http

            let me = try await api.call("GET", "/api/auth/me", token: token)
            #expect(me.status == 200)
            #expect(me.json["email"] as? String == "Ann@Example.com")

            #expect(try await api.call("POST", "/api/auth/logout", token: token).status == 204)
            let dead = try await api.call("GET", "/api/auth/me", token: token)
            #expect(dead.status == 401)
            #expect(dead.response.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func theCookieAloneAuthenticates() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("c@example.com")
            let me = try await api.call("GET", "/api/auth/me", headers: [("Cookie", "attendify_session=\(token)")])
            #expect(me.status == 200)
        }
    }

    @Test func registrationRejectsBadInputWithTheFieldNamed() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let short = try await api.call("POST", "/api/auth/register", json: ["email": "a@example.com", "password": "short"])
            #expect(short.status == 422)
            #expect(short.errorFields == ["password"])
            let email = try await api.call("POST", "/api/auth/register", json: ["email": "not-an-email", "password": "long enough pw"])
            #expect(email.errorFields == ["email"])
            let types = try await api.call("POST", "/api/auth/register", json: ["email": 5, "password": ["x"], "admin": true])
            #expect(types.status == 422)
            #expect(Set(types.errorFields) == ["email", "password", "admin"])
            let malformed = try await api.call("POST", "/api/auth/register", raw: Array("{\"email\":".utf8))
            #expect(malformed.status == 400)
            let notObject = try await api.call("POST", "/api/auth/register", raw: Array("[1,2]".utf8))
            #expect(notObject.status == 400)
            let huge = try await api.call("POST", "/api/auth/register", raw: [UInt8](repeating: UInt8(ascii: "a"), count: 2_000_000))
            #expect(huge.status == 413)
        }
    }

    @Test func emailsAreUniqueRegardlessOfCase() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            _ = try await api.signUp("dup@example.com")
            let again = try await api.call("POST", "/api/auth/register", json: ["email": "DUP@example.com", "password": "another password"])
            #expect(again.status == 409)
        }
    }

    @Test func unknownEmailAndWrongPasswordLookTheSame() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            _ = try await api.signUp("known@example.com")
            let wrong = try await api.call("POST", "/api/auth/login", json: ["email": "known@example.com", "password": "wrong password"])
            let unknown = try await api.call("POST", "/api/auth/login", json: ["email": "nobody@example.com", "password": "wrong password"])
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong.response.body == unknown.response.body)
        }
    }

    @Test func everyCharacterOfALongPasswordCounts() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let long = String(repeating: "x", count: 72) + "tail-that-bcrypt-alone-would-ignore"
            _ = try await api.signUp("long@example.com", password: long)
            let truncated = try await api.call(
                "POST", "/api/auth/login", json: ["email": "long@example.com", "password": String(long.prefix(72))])
            #expect(truncated.status == 401)
            let full = try await api.call("POST", "/api/auth/login", json: ["email": "long@example.com", "password": long])
            #expect(full.status == 200)
        }
    }

    @Test func repeatedFailedLoginsAreRateLimited() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            _ = try await api.signUp("target@example.com")
            for _ in 0..<5 {
                let failed = try await api.call("POST", "/api/auth/login", json: ["email": "target@example.com", "password": "guess guess"])
                #expect(failed.status == 401)
            }
            let limited = try await api.call("POST", "/api/auth/login", json: ["email": "target@example.com", "password": "correct horse battery"])
            #expect(limited.status == 429)
            #expect(Int(limited.response.header("Retry-After") ?? "") ?? 0 > 0)
        }
    }

    @Test func rateLimitsOffLetsTestSuitesCreateManyAccounts() async throws {
        try await withRunningServer(demo: false, configure: { $0.tracker.rateLimitsEnabled = false }) { http, _ in
            let api = APIClient(http: http)
            for index in 0..<12 { _ = try await api.signUp("user\(index)@example.com") }
            for _ in 0..<7 {
                let failed = try await api.call("POST", "/api/auth/login", json: ["email": "user0@example.com", "password": "guess guess"])
                #expect(failed.status == 401)
            }
        }
    }

    @Test func registrationsPerClientAreLimited() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            var statuses: [Int] = []
            for index in 0..<11 {
                statuses.append(
                    try await api.call("POST", "/api/auth/register", json: ["email": "r\(index)@example.com", "password": "long enough pw"]).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 201 })
            #expect(statuses.last == 429)
        }
    }

    @Test func productionCostIsAtLeastTen() async throws {
        try await withRunningServer(demo: false, configure: { $0.bcryptCost = 12 }) { http, site in
            _ = try await APIClient(http: http).signUp("cost@example.com")
            let hash = try #require(try site.database.credentials(email: "cost@example.com")?.passwordHash)
            #expect(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"))
        }
    }

    @Test func unknownAPIRoutesAreProblem404s() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let reply = try await APIClient(http: http).call("GET", "/api/does-not-exist")
            #expect(reply.status == 404)
            #expect(reply.response.header("Content-Type") == "application/problem+json")
            #expect(reply.json["status"] as? Int == 404)
        }
    }
}

@Suite struct StrictInputTests {
    @Test(arguments: [
        "0000-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2054-02-30T10:00:00Z",
        "2054-12-01T24:00:00Z", "2054-12-01T15:00:00+05:53:28", "2054-12-01 15:00:00Z", "2054-12-01T15:00:00",
        "10000-01-01T00:00:00Z", "2054-12-01T15:00Z",
    ])
    func invalidDateTimesAre422(_ value: String) async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let reply = try await api.call("POST", "/api/events", json: APIClient.validEvent.merging(["start_datetime": value]) { $1 }, token: token)
            #expect(reply.status == 422, "\(value)")
            #expect(reply.errorFields == ["start_datetime"], "\(value)")
        }
    }

    @Test func lowerCaseSeparatorsFractionsAndOffsetsAreAccepted() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(
                token: token, ["start_datetime": "2054-12-01t16:00:00.250+01:00", "end_datetime": "2054-12-01T18:00:00-01:00"])
            #expect(event["start_datetime"] as? String == "2054-12-01T15:00:00Z")
            #expect(event["end_datetime"] as? String == "2054-12-01T19:00:00Z")
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let reply = try await APIClient(http: http).call("PATCH", "/api/events/1")
            #expect(reply.status == 405)
            #expect(reply.response.header("Allow") == "GET, PUT, DELETE, OPTIONS")
            #expect(reply.response.header("Content-Type") == "application/problem+json")
        }
    }

    @Test(arguments: ["from=2054-13-01", "from=-001-01-01", "from=+026-01-01", "to=2054-02-30", "from=1969-12-31"])
    func invalidStatsDatesAre422(_ query: String) async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let reply = try await api.call("GET", "/api/events/\(event.id)/stats?\(query)", token: token)
            #expect(reply.status == 422, "\(query)")
        }
    }
}
