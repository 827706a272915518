import API
import Core
import Foundation
import Generator
import Hummingbird
import Logging
import Server
import Storage
import TestSupport
import Testing

/// Self-service accounts and API tokens over real HTTP, with the mail drop folder as the inbox.
@Suite struct AccountAPITests {
    /// Every route the API registers (the same list the OpenAPI test holds the spec to).
    static func allRoutes() async throws -> [APIRoute] {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.inMemory()
        let generator = SiteGenerator(
            database: database,
            renderer: WidgetRenderer(templates: try await TemplateLibrary.load(directory: PackagePaths.templates), uidHost: "example.org"),
            publisher: Publisher(root: folder.path), logger: Logger(label: "test"))
        return OrganizerAPI.addRoutes(
            to: Router(context: AppRequestContext.self), database: database, generator: generator,
            config: APIConfig(publicURL: URL(string: "http://127.0.0.1:8080")!))
    }

    /// Mails the server wrote into the drop folder, decoded enough to find links.
    static func mails(in folder: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }.map { mail in
            // Quoted-printable soft breaks and the one escape a link can contain.
            mail.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        }
    }

    static func waitForMail(in folder: String, count: Int) async throws -> [String] {
        for _ in 0..<200 {
            let found = mails(in: folder)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RawHTTPClient.Failure(description: "no mail arrived in \(folder)")
    }

    static func linkToken(_ mail: String) -> String? {
        guard let range = mail.range(of: #"\?token=[A-Za-z0-9_-]{43}"#, options: .regularExpression) else { return nil }
        return String(mail[range].dropFirst("?token=".count))
    }

    @Test func aStatsTokenIsRefusedOnEveryWriteRouteAndManagesNothing() async throws {
        let routes = try await Self.allRoutes()
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let session = try await api.signUp("scopes@example.com")
            let event = try await api.createEvent(token: session)
            let placement = try await api.call("POST", "/api/events/\(event.id)/placements", json: ["name": "Blog"], token: session)
            let created = try await api.call("POST", "/api/tokens", json: ["name": "stats", "scopes": ["stats:read"]], token: session)
            #expect(created.status == 201)
            let token = try #require(created.json["token"] as? String)
            #expect(token.hasPrefix("atf_"))
            let anyone: Set<String> = [
                "/api/auth/register", "/api/auth/login", "/api/auth/password-reset", "/api/auth/password-reset/confirm", "/api/auth/email/confirm",
            ]
            var checked = 0
            for route in routes where route.method != "GET" && !anyone.contains(route.path) {
                let path = route.path.replacingOccurrences(of: "{id}", with: route.path.hasPrefix("/api/events") ? "\(event.id)" : "1")
                    .replacingOccurrences(of: "{placement}", with: "\(placement.json.id)")
                let reply = try await api.call(route.method, path, json: [String: Any](), token: token)
                #expect(reply.status == 403, "\(route) answered \(reply.status) to a stats:read token")
                checked += 1
            }
            #expect(checked >= 15)
            // Reading what the scope names works; reading events or the account does not.
            #expect(try await api.call("GET", "/api/stats", token: token).status == 200)
            #expect(try await api.call("GET", "/api/events/\(event.id)/stats", token: token).status == 200)
            #expect(try await api.call("GET", "/api/events", token: token).status == 403)
            #expect(try await api.call("GET", "/api/tokens", token: token).status == 403)
            #expect(try await api.call("GET", "/api/auth/me", token: token).json["email"] as? String == "scopes@example.com")
            // The event is untouched, and the token stops at once when revoked.
            #expect(try await api.call("GET", "/api/events/\(event.id)", token: session).status == 200)
            let listed = try await api.call("GET", "/api/tokens", token: session)
            #expect((listed.json["tokens"] as? [[String: Any]])?.first?["token"] == nil)
            #expect(try await api.call("DELETE", "/api/tokens/\(created.json.id)", token: session).status == 204)
            #expect(try await api.call("GET", "/api/stats", token: token).status == 401)
        }
    }

    @Test func aWriteTokenEditsEventsButNotTheAccount() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let session = try await api.signUp("writer@example.com")
            let created = try await api.call("POST", "/api/tokens", json: ["name": "sync", "scopes": ["events:write", "events:read"]], token: session)
            let token = try #require(created.json["token"] as? String)
            let event = try await api.createEvent(token: token)
            #expect(try await api.call("PUT", "/api/events/\(event.id)", json: ["title": "Renamed"], token: token).json["title"] as? String == "Renamed")
            #expect(try await api.call("GET", "/api/events/\(event.id)/stats", token: token).status == 403)
            #expect(try await api.call("POST", "/api/auth/password", json: ["current_password": "x", "new_password": "yyyyyyyy"], token: token).status == 403)
            #expect(try await api.call("DELETE", "/api/account", json: ["password": "correct horse battery"], token: token).status == 403)
            #expect(try await api.call("DELETE", "/api/events/\(event.id)", token: token).status == 204)
            // Bad requests name the field.
            let bad = try await api.call("POST", "/api/tokens", json: ["name": "", "scopes": ["admin"], "expires_at": "2001-01-01T00:00:00Z"], token: session)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["name", "scopes", "expires_at"])
        }
    }

    @Test func aForgottenPasswordIsResetThroughTheMailedLinkOnce() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let old = try await api.signUp("forgot@example.com")
            let inbox = site.folder.file("mail")
            let known = try await api.call("POST", "/api/auth/password-reset", json: ["email": "Forgot@example.com"])
            let unknown = try await api.call("POST", "/api/auth/password-reset", json: ["email": "nobody@example.com"])
            #expect(known.status == 202 && unknown.status == 202)
            #expect(known.response.body == unknown.response.body)
            let mails = try await Self.waitForMail(in: inbox, count: 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.mails(in: inbox).count == 1, "only the registered address gets a mail")
            #expect(mails[0].contains("To: forgot@example.com"))
            let token = try #require(Self.linkToken(mails[0]))

            let short = try await api.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "short"])
            #expect(short.status == 422 && short.errorFields == ["new_password"])
            let reset = try await api.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "a brand new secret"])
            #expect(reset.status == 204)
            let again = try await api.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "another new secret"])
            #expect(again.status == 422 && again.errorFields == ["token"])
            #expect(try await api.call("GET", "/api/auth/me", token: old).status == 401, "a reset ends every session")
            #expect(try await api.call("POST", "/api/auth/login", json: ["email": "forgot@example.com", "password": "correct horse battery"]).status == 401)
            #expect(try await api.call("POST", "/api/auth/login", json: ["email": "forgot@example.com", "password": "a brand new secret"]).status == 200)
        }
    }

    @Test func changingThePasswordEndsTheOtherSessionsOnly() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let first = try await api.signUp("change@example.com")
            let second = try #require(
                try await api.call("POST", "/api/auth/login", json: ["email": "change@example.com", "password": "correct horse battery"]).json["token"]
                    as? String)
            let wrong = try await api.call("POST", "/api/auth/password", json: ["current_password": "nope nope", "new_password": "fresh password"], token: first)
            #expect(wrong.status == 403)
            let sessions = try await api.call("GET", "/api/auth/sessions", token: first).json["sessions"] as? [[String: Any]] ?? []
            #expect(sessions.count == 2 && sessions.filter { $0["current"] as? Bool == true }.count == 1)
            #expect(sessions.allSatisfy { Set($0.keys) == ["id", "created_at", "expires_at", "current"] })
            let changed = try await api.call(
                "POST", "/api/auth/password", json: ["current_password": "correct horse battery", "new_password": "fresh password"], token: first)
            #expect(changed.status == 204)
            #expect(try await api.call("GET", "/api/auth/me", token: first).status == 200)
            #expect(try await api.call("GET", "/api/auth/me", token: second).status == 401)
            let left = try await api.call("GET", "/api/auth/sessions", token: first).json["sessions"] as? [[String: Any]] ?? []
            #expect(left.count == 1)
            #expect(try await api.call("DELETE", "/api/auth/sessions/\(left[0].id)", token: first).status == 204)
            #expect(try await api.call("GET", "/api/auth/me", token: first).status == 401)
        }
    }

    @Test func aNewAddressCountsOnlyOnceItsLinkIsOpened() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("old@example.com")
            _ = try await api.signUp("taken@example.com")
            #expect(try await api.call("POST", "/api/auth/email", json: ["new_email": "taken@example.com", "password": "correct horse battery"], token: token).status == 409)
            #expect(try await api.call("POST", "/api/auth/email", json: ["new_email": "new@example.com", "password": "wrong password"], token: token).status == 403)
            let asked = try await api.call("POST", "/api/auth/email", json: ["new_email": "new@example.com", "password": "correct horse battery"], token: token)
            #expect(asked.status == 202 && asked.json["pending_email"] as? String == "new@example.com")
            #expect(try await api.call("GET", "/api/auth/me", token: token).json["email"] as? String == "old@example.com")
            let mails = try await Self.waitForMail(in: site.folder.file("mail"), count: 1)
            #expect(mails[0].contains("To: new@example.com"))
            let link = try #require(Self.linkToken(mails[0]))
            let confirmed = try await api.call("POST", "/api/auth/email/confirm", json: ["token": link])
            #expect(confirmed.status == 200 && confirmed.json["email"] as? String == "new@example.com")
            #expect(try await api.call("POST", "/api/auth/email/confirm", json: ["token": link]).status == 422)
            let notices = try await Self.waitForMail(in: site.folder.file("mail"), count: 2)
            #expect(notices.contains { $0.contains("To: old@example.com") && $0.contains("new@example.com") })
        }
    }

    /// The token limit holds when many scripts create tokens at once.
    @Test func parallelTokenCreationsStopExactlyAtTheLimit() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("many@example.com")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<60 {
                    group.addTask { try await api.call("POST", "/api/tokens", json: ["name": "t\(index)", "scopes": ["stats:read"]], token: token).status }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == [201: 50, 409: 10])
            #expect((try await api.call("GET", "/api/tokens", token: token).json["tokens"] as? [Any])?.count == 50)
        }
    }

    /// Erasure racing the same account's writes: every answer is a success or a clean 401/404,
    /// and nothing of the account is left, in the database or in out/.
    @Test func erasureRacingTheAccountsOwnWritesLeavesNothingBehind() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("racing@example.com")
            let user = try #require(try site.database.user(email: "racing@example.com"))
            _ = try await api.createEvent(token: token)
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let body = APIClient.validEvent.merging(["title": "Race \(index)"]) { $1 }
                        return ("event", try await api.call("POST", "/api/events", json: body, token: token).status)
                    }
                }
                for index in 0..<6 {
                    group.addTask {
                        ("token", try await api.call("POST", "/api/tokens", json: ["name": "t\(index)", "scopes": ["events:read"]], token: token).status)
                    }
                    group.addTask {
                        let hook = ["url": "https://hooks.example.com/\(index)", "events": ["event.created"]] as [String: Any]
                        return ("webhook", try await api.call("POST", "/api/webhooks", json: hook, token: token).status)
                    }
                }
                group.addTask { ("delete", try await api.call("DELETE", "/api/account", json: ["password": "correct horse battery"], token: token).status) }
                var all: [(String, Int)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.first { $0.0 == "delete" }?.1 == 204)
            #expect(statuses.allSatisfy { [201, 204, 401, 404].contains($0.1) }, "\(statuses)")
            #expect(try site.database.user(id: user.id) == nil)
            #expect(try site.database.events(userID: user.id).isEmpty && site.database.apiTokens(userID: user.id).isEmpty)
            #expect(try site.database.webhooks(userID: user.id).isEmpty)
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: site.outputDirectory).filter { $0.hasSuffix(".html") || $0.hasSuffix(".ics") }
            #expect(leftovers.isEmpty, "files left in out/: \(leftovers.prefix(5))")
        }
    }

    @Test func deletingTheAccountNeedsThePasswordAndRemovesItsPublicFiles() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("leaving@example.com")
            let event = try await api.createEvent(token: token)
            let paths = ["widget_url", "ics_url", "page_url", "feed_url"].compactMap { (event[$0] as? String).flatMap(URL.init(string:))?.path }
            #expect(paths.count == 4)
            for path in paths { #expect(try await api.call("GET", path).status == 200, "\(path)") }
            let files = try FileManager.default.subpathsOfDirectory(atPath: site.outputDirectory).filter { $0.contains(event.publicID) }
            #expect(!files.isEmpty)
            #expect(try await api.call("DELETE", "/api/account", json: ["password": "wrong password"], token: token).status == 403)
            #expect(try await api.call("DELETE", "/api/account", json: ["password": "correct horse battery", "extra": 1], token: token).status == 422)
            #expect(try await api.call("DELETE", "/api/account", json: ["password": "correct horse battery"], token: token).status == 204)
            for path in paths { #expect(try await api.call("GET", path).status == 404, "\(path)") }
            #expect(try FileManager.default.subpathsOfDirectory(atPath: site.outputDirectory).filter { $0.contains(event.publicID) }.isEmpty)
            #expect(try await api.call("GET", "/api/auth/me", token: token).status == 401)
            #expect(try await api.call("POST", "/api/auth/login", json: ["email": "leaving@example.com", "password": "correct horse battery"]).status == 401)
            // Within the tracker's refresh, its links are gone too.
            var tracked = 0
            for _ in 0..<50 {
                tracked = try await api.call("GET", "/track/\(event.publicID)/google", headers: [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")]).status
                if tracked == 404 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(tracked == 404)
        }
    }
}
