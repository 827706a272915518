import Core
import Foundation
import TestSupport
import Testing

/// Placements, the view beacon and the statistics routes through `attendify serve`: real HTTP,
/// real files, the configured engine.
@Suite struct PlacementsAPITests {
    @Test func aPlacementGetsItsOwnWidgetFileAndEmbedCodeUntilDeleted() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let created = try await api.call("POST", "/api/events/\(event.id)/placements", json: ["name": "  newsletter June "], token: token)
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? Int)
            #expect(created.response.header("Location") == "/api/events/\(event.id)/placements/\(id)")
            #expect(created.json["name"] as? String == "newsletter June")
            let widgetURL = try #require(created.json["widget_url"] as? String)
            #expect(widgetURL.hasPrefix("\(APIClient.origin)/widget/event/\(event.publicID)/"))
            let key = String(widgetURL.split(separator: "/").last ?? "")
            #expect(PublicID(key) != nil)
            #expect((created.json["iframe_html"] as? String)?.contains("src=\"\(widgetURL)\"") == true)

            // The file is there before the answer, with the key in its beacon and links.
            let path = String(widgetURL.dropFirst(APIClient.origin.count))
            let widget = try await http.send("GET", path)
            #expect(widget.status == 200)
            #expect(widget.header("Content-Security-Policy")?.contains("img-src 'self' data:") == true)
            #expect(widget.text.contains("url(\"/track/\(event.publicID)/view/\(key)\")"))
            #expect(widget.text.contains("href=\"/track/\(event.publicID)/google/\(key)\""))
            #expect(try await http.send("GET", path + "/").status == 200)
            #expect(FileManager.default.fileExists(atPath: "\(site.outputDirectory)/widget/event/\(event.publicID)/\(key)/index.html.gz"))
            // The event's own widget counts for no placement.
            let own = try await http.send("GET", "/widget/event/\(event.publicID)")
            #expect(own.text.contains("url(\"/track/\(event.publicID)/view\")"))

            let listed = try await api.call("GET", "/api/events/\(event.id)/placements", token: token)
            #expect((listed.json["placements"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            #expect(try await api.call("GET", "/api/events/\(event.id)/placements/\(id)", token: token).json["name"] as? String == "newsletter June")

            #expect(try await api.call("DELETE", "/api/events/\(event.id)/placements/\(id)", token: token).status == 204)
            #expect(try await http.send("GET", path).status == 404)
            #expect(try await api.call("DELETE", "/api/events/\(event.id)/placements/\(id)", token: token).status == 404)
            #expect(try await api.call("GET", "/api/events/\(event.id)/placements/\(id)", token: token).status == 404)
            #expect(try await http.send("GET", "/widget/event/\(event.publicID)").status == 200)
        }
    }

    @Test func badPlacementInputIsRefusedWithTheField() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let route = "/api/events/\(event.id)/placements"
            for (body, field) in [
                (["name": ""] as [String: Any], "name"), (["name": "a\r\nb"], "name"), (["name": String(repeating: "x", count: 81)], "name"),
                (["name": 5], "name"), ([:], "name"), (["name": "ok", "color": "red"], "color"),
            ] {
                let reply = try await api.call("POST", route, json: body, token: token)
                #expect(reply.status == 422, "\(body)")
                #expect(reply.errorFields == [field], "\(body)")
            }
            #expect(try await api.call("POST", route, raw: Array("{\"name\":".utf8), token: token).status == 400)
            #expect(try await api.call("POST", route, json: ["name": "<b>Partner</b> 🚀"], token: token).status == 201)
            let taken = try await api.call("POST", route, json: ["name": "<B>PARTNER</B> 🚀"], token: token)
            #expect(taken.status == 409)
            // Someone else's event, or none: 404 either way.
            let other = try await api.signUp("b@example.com")
            #expect(try await api.call("POST", route, json: ["name": "mine"], token: other).status == 404)
            #expect(try await api.call("GET", route, token: other).status == 404)
            #expect(try await api.call("POST", "/api/events/999999/placements", json: ["name": "x"], token: token).status == 404)
            #expect(try await api.call("GET", route).status == 401)
        }
    }
}

@Suite struct AnalyticsAPITests {
    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    @Test func viewsClicksAndVisitorsReachTheStatsAndTheirCSV() async throws {
        try await withRunningServer(demo: false, configure: { $0.trustedProxies = ["127.0.0.1"]; $0.tracker.trustedProxies = ["127.0.0.1"] }) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token, ["timezone": "UTC"])
            let placement = try await api.call("POST", "/api/events/\(event.id)/placements", json: ["name": "homepage"], token: token)
            let key = String((placement.json["widget_url"] as? String ?? "").split(separator: "/").last ?? "")
            // 20 visitors: 5 views each through the placement, 1 in 4 clicks Google from it.
            for visitor in 0..<20 {
                let from = [("User-Agent", Self.browser), ("X-Forwarded-For", "203.0.113.\(visitor)")]
                for _ in 0..<5 { #expect(try await http.send("GET", "/track/\(event.publicID)/view/\(key)", headers: from).status == 204) }
                if visitor % 4 == 0 { #expect(try await http.send("GET", "/track/\(event.publicID)/google/\(key)", headers: from).status == 302) }
            }
            #expect(try await http.send("GET", "/track/\(event.publicID)/view", headers: [("User-Agent", "curl/8.4.0")]).status == 204)
            let deadline = ContinuousClock.now + .seconds(10)
            var stats: [String: Any] = [:]
            while ContinuousClock.now < deadline {
                stats = try await api.call("GET", "/api/events/\(event.id)/stats?tz=UTC", token: token).json
                if stats["views"] as? Int == 100 && stats["total_clicks"] as? Int == 5 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(stats["views"] as? Int == 100)
            #expect(stats["unique_visitors"] as? Int == 20)
            #expect(stats["conversion_rate"] as? Double == 0.05)
            #expect(stats["by_placement"] as? [String: [String: Double]] == ["homepage": ["views": 100, "clicks": 5, "conversion_rate": 0.05]])
            let today = (stats["views_timeline"] as? [[String: Any]])?.last
            #expect(today?["views"] as? Int == 100)
            #expect(today?["unique_visitors"] as? Int == 20)
            let empty = (stats["views_timeline"] as? [[String: Any]])?.first
            #expect(empty?["conversion_rate"] is NSNull)

            for request in [
                ("/api/events/\(event.id)/stats?tz=UTC&format=csv", [(String, String)]()),
                ("/api/events/\(event.id)/stats?tz=UTC", [("Accept", "text/csv")]),
            ] {
                let csv = try await api.call("GET", request.0, token: token, headers: request.1)
                #expect(csv.status == 200)
                #expect(csv.response.header("Content-Type") == "text/csv; charset=utf-8")
                #expect(csv.response.header("Content-Disposition")?.hasPrefix("attachment; filename=\"attendify-event-\(event.publicID)-") == true)
                let lines = csv.response.text.components(separatedBy: "\r\n")
                #expect(lines.first == "date,views,unique_visitors,clicks,conversion_rate")
                #expect(lines.count == 32)  // header, 30 days, the empty string after the last CRLF
                #expect(lines[30].hasSuffix(",100,20,5,0.05"))
                #expect(lines[1].hasSuffix(",0,0,0,"))
            }
            #expect(try await api.call("GET", "/api/events/\(event.id)/stats?format=xml", token: token).errorFields == ["format"])
            // Nothing about a visitor is stored.
            #expect(try site.database.storedClientInfoCount() == 0)
        }
    }

    @Test func theOverviewRanksPagesAndTotalsEveryEvent() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            var ids: [Int] = []
            for title in ["=SUM(A1)", "Beta, \"quoted\"", "gamma"] {
                ids.append(try await api.createEvent(token: token, ["title": title]).id)
            }
            let now = Date().epochSeconds
            // Views and clicks straight through the writer's own path: 10/1, 40/8, 0/2.
            // Visitor hashes spread like keyed hashes (a multiplier by the golden ratio).
            func visitor(_ n: Int64) -> UInt64 { UInt64(n + 1) &* 0x9e37_79b9_7f4a_7c15 }
            try site.database.recordImpressions((0..<10).map { Impression(eventID: Int64(ids[0]), placementID: nil, viewedAt: now - $0, visitorHash: visitor($0)) })
            try site.database.recordImpressions((0..<40).map { Impression(eventID: Int64(ids[1]), placementID: nil, viewedAt: now - $0, visitorHash: visitor($0 + 100)) })
            try site.database.recordClicks([Click(eventID: Int64(ids[0]), type: .google, clickedAt: now)])
            try site.database.recordClicks((0..<8).map { _ in Click(eventID: Int64(ids[1]), type: .ics, clickedAt: now) })
            try site.database.recordClicks((0..<2).map { _ in Click(eventID: Int64(ids[2]), type: .ics, clickedAt: now) })
            let other = try await api.signUp("b@example.com")
            _ = try await api.createEvent(token: other)

            let overview = try await api.call("GET", "/api/stats", token: token)
            #expect(overview.status == 200)
            #expect(overview.json["total_events"] as? Int == 3)
            #expect(overview.json["tz"] as? String == "UTC")
            #expect(overview.json["totals"] as? [String: Double] == ["views": 50, "clicks": 11, "unique_visitors": 50, "conversion_rate": 0.22])
            let rows = overview.json["events"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["id"] as? Int } == [ids[1], ids[0], ids[2]])
            #expect(rows.first?["conversion_rate"] as? Double == 0.2)
            #expect(rows.last?["conversion_rate"] is NSNull)

            func order(_ query: String) async throws -> [Int?] {
                (try await api.call("GET", "/api/stats?\(query)", token: token).json["events"] as? [[String: Any]] ?? []).map { $0["id"] as? Int }
            }
            #expect(try await order("sort=clicks&order=asc") == [ids[0], ids[2], ids[1]])
            #expect(try await order("sort=conversion_rate") == [ids[1], ids[0], ids[2]])
            #expect(try await order("sort=title&order=asc") == [ids[0], ids[1], ids[2]])
            #expect(try await order("limit=1&offset=1") == [ids[0]])
            #expect(try await order("limit=2&offset=5") == [])

            let csv = try await api.call("GET", "/api/stats?format=csv&sort=title&order=asc", token: token)
            let lines = csv.response.text.components(separatedBy: "\r\n")
            #expect(lines.first == "event_id,public_id,title,start_datetime,status,views,unique_visitors,clicks,conversion_rate")
            #expect(lines[1].hasPrefix("\(ids[0]),") && lines[1].contains(",'=SUM(A1),"))
            #expect(lines[2].contains(",\"Beta, \"\"quoted\"\"\",") && lines[2].hasSuffix(",40,40,8,0.2"))
            #expect(lines[3].hasSuffix(",0,0,2,"))

            for (query, field) in [
                ("sort=nope", "sort"), ("order=up", "order"), ("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset"),
                ("tz=Mars/Base", "tz"), ("from=2026-02-30", "from"), ("format=pdf", "format"),
            ] {
                #expect(try await api.call("GET", "/api/stats?\(query)", token: token).errorFields == [field], "\(query)")
            }
            #expect(try await api.call("GET", "/api/stats").status == 401)
        }
    }

    @Test func thePanelPreviewCountsNothing() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let preview = try await api.call("GET", "/api/preview/widget?event_id=\(event.id)", token: token)
            #expect(preview.status == 200)
            #expect(!preview.response.text.contains("/view"))
            #expect(!preview.response.text.contains("background:url"))
        }
    }
}
