import Core
import Foundation
import TestSupport
import Testing

@Suite struct EventsAPITests {
    @Test func aCreatedEventIsLiveBeforeTheResponseArrives() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token, ["customization_settings": ["theme": "dark", "providers": ["ics", "google"]]])
            #expect(event["title"] as? String == "Launch webinar")
            #expect(event["start_datetime"] as? String == "2054-12-01T15:00:00Z")
            #expect(event["timezone"] as? String == "Europe/Warsaw")
            #expect((event["customization_settings"] as? [String: Any])?["theme"] as? String == "dark")
            let widgetURL = try #require(event["widget_url"] as? String)
            let icsURL = try #require(event["ics_url"] as? String)
            #expect(widgetURL == "http://127.0.0.1:8080/widget/event/\(event.publicID)")
            // Straight away: widget, .ics and the tracker all know the event.
            #expect(try await http.get("/widget/event/\(event.publicID)").status == 200)
            #expect(try await http.get(String(icsURL.dropFirst("http://127.0.0.1:8080".count))).status == 200)
            let click = try await http.get("/track/\(event.publicID)/ics", headers: [("User-Agent", "Mozilla/5.0 Test")])
            #expect(click.status == 302)
        }
    }

    @Test func listIsNewestFirstWithTotalAndPaging() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            for index in 0..<3 { _ = try await api.createEvent(token: token, ["title": "Event \(index)"]) }
            let page = try await api.call("GET", "/api/events?limit=2&offset=0", token: token)
            #expect(page.json["total"] as? Int == 3)
            let titles = (page.json["events"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            #expect(titles == ["Event 2", "Event 1"])
            let rest = try await api.call("GET", "/api/events?limit=2&offset=2", token: token)
            #expect((rest.json["events"] as? [[String: Any]])?.count == 1)
            let bad = try await api.call("GET", "/api/events?limit=0&offset=-1", token: token)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["limit", "offset"])
        }
    }

    @Test func updateKeepsOmittedFieldsAndBumpsTheSequenceForTimeChanges() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let restyled = try await api.call("PUT", "/api/events/\(event.id)", json: ["customization_settings": ["language": "pl"]], token: token)
            #expect(restyled.status == 200)
            #expect(restyled.json["title"] as? String == "Launch webinar")
            #expect(restyled.json["sequence"] as? Int == 0)
            let widget = try await http.get("/widget/event/\(event.publicID)")
            #expect(widget.text.contains("Dodaj do kalendarza"))

            let moved = try await api.call(
                "PUT", "/api/events/\(event.id)",
                json: ["start_datetime": "2054-12-02T15:00:00Z", "end_datetime": "2054-12-02T16:30:00Z"], token: token)
            #expect(moved.json["sequence"] as? Int == 1)
            #expect(moved.json["description"] as? String == "Agenda")
            let ics = try await http.get("/calendar/\(event.publicID)/download.ics")
            #expect(ics.text.contains("DTSTART:20541202T150000Z"))
            #expect(ics.text.contains("SEQUENCE:1"))
        }
    }

    @Test func invalidEventsAre422WithTheFieldNamed() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let cases: [([String: Any], String)] = [
                (["webinar_url": "javascript:alert(1)"], "webinar_url"),
                (["end_datetime": "2054-12-01T14:00:00Z"], "end_datetime"),
                (["timezone": "Mars/Base"], "timezone"),
                (["title": ""], "title"),
                (["title": 42], "title"),
                (["start_datetime": "yesterday"], "start_datetime"),
                (["customization_settings": ["colour": "#000000"]], "customization_settings.colour"),
                (["customization_settings": ["border_radius": "8"]], "customization_settings.border_radius"),
                (["owner": 2], "owner"),
            ]
            for (override, field) in cases {
                let reply = try await api.call("POST", "/api/events", json: APIClient.validEvent.merging(override) { $1 }, token: token)
                #expect(reply.status == 422, "\(override)")
                #expect(reply.errorFields.contains(field), "\(override): \(reply.errorFields)")
            }
            let huge = try await api.call(
                "POST", "/api/events", raw: Array(("{\"title\":\"" + String(repeating: "a", count: 2_000_000) + "\"}").utf8), token: token)
            #expect(huge.status == 413)
            let malformed = try await api.call("POST", "/api/events", raw: Array("{\"title\": ".utf8), token: token)
            #expect(malformed.status == 400)
            let list = try await api.call("GET", "/api/events", token: token)
            #expect(list.json["total"] as? Int == 0)  // nothing half-created
        }
    }

    @Test func hostileTextIsStoredAsWrittenAndRenderedSafely() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let title = "<script>alert(1)</script> Zażółć 🎉 \"quotes\" ../../etc"
            let event = try await api.createEvent(token: token, ["title": title, "description": "line\r\nbreak; comma, back\\slash"])
            #expect(event["title"] as? String == title)
            #expect(event["description"] as? String == "line\nbreak; comma, back\\slash")
            let widget = try await http.get("/widget/event/\(event.publicID)")
            #expect(!widget.text.contains("<script>alert"))
            #expect(widget.text.contains("&lt;script&gt;"))
            let code = try await api.call("GET", "/api/events/\(event.id)/iframe-code", token: token)
            let iframe = try #require(code.json["iframe_html"] as? String)
            #expect(iframe.hasPrefix("<iframe src=\"http://127.0.0.1:8080/widget/event/\(event.publicID)\""))
            #expect(iframe.contains("title=\"Add to calendar: &lt;script&gt;alert(1)&lt;/script&gt; Zażółć 🎉 &quot;quotes&quot; ../../etc\""))
            #expect(iframe.contains("loading=\"lazy\""))
            #expect(iframe.contains("sandbox=\"allow-popups allow-popups-to-escape-sandbox allow-downloads\""))
            // Sizes the W3C checker accepts: pixels in the attributes, percentages only in CSS.
            #expect(iframe.contains(#"width="560" height="300" style="border:0;max-width:100%""#))
            #expect(!iframe.contains("width=\"100%\""))
            let responsive = try #require(code.json["iframe_html_responsive"] as? String)
            #expect(responsive.hasPrefix("<iframe src=\"http://127.0.0.1:8080/widget/event/\(event.publicID)\""))
            #expect(responsive.contains("style=\"border:0;display:block;width:100%;max-width:560px;height:300px\""))
            #expect(!responsive.contains(" width=") && !responsive.contains(" height="))
        }
    }

    @Test func deleteRemovesFilesAndTheTrackerForgetsWithinASecond() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let browser = [("User-Agent", "Mozilla/5.0 Test")]
            #expect(try await http.get("/track/\(event.publicID)/google", headers: browser).status == 302)
            #expect(try await api.call("DELETE", "/api/events/\(event.id)", token: token).status == 204)
            #expect(try await http.get("/widget/event/\(event.publicID)").status == 404)
            #expect(try await http.get("/calendar/\(event.publicID)/download.ics").status == 404)
            let deadline = ContinuousClock.now + .seconds(15)  // "within 1 s" is measured by Tests/interop, not asserted on a shared box
            var status = 0
            repeat {
                status = try await http.get("/track/\(event.publicID)/google", headers: browser).status
                if status == 404 { break }
                try await Task.sleep(for: .milliseconds(20))
            } while ContinuousClock.now < deadline
            #expect(status == 404)
            #expect(try await api.call("GET", "/api/events/\(event.id)", token: token).status == 404)
        }
    }

    @Test func anotherOrganizersEventIsA404OnEveryRoute() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let ann = try await api.signUp("ann@example.com")
            let bob = try await api.signUp("bob@example.com")
            let event = try await api.createEvent(token: ann)
            let path = "/api/events/\(event.id)"
            let attempts: [(String, String, Any?)] = [
                ("GET", path, nil), ("PUT", path, ["title": "Mine now"]), ("DELETE", path, nil),
                ("GET", "\(path)/iframe-code", nil), ("GET", "\(path)/stats", nil),
            ]
            for (method, target, body) in attempts {
                let reply = try await api.call(method, target, json: body, token: bob)
                #expect(reply.status == 404, "\(method) \(target)")
            }
            let bobsList = try await api.call("GET", "/api/events", token: bob)
            #expect(bobsList.json["total"] as? Int == 0)
            let stillThere = try await api.call("GET", path, token: ann)
            #expect(stillThere.json["title"] as? String == "Launch webinar")
        }
    }

    @Test func everyProtectedRouteNeedsSigningIn() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            for (method, path) in [
                ("GET", "/api/auth/me"), ("POST", "/api/auth/logout"), ("POST", "/api/events"), ("GET", "/api/events"),
                ("GET", "/api/events/1"), ("PUT", "/api/events/1"), ("DELETE", "/api/events/1"), ("GET", "/api/events/1/iframe-code"),
                ("GET", "/api/events/1/stats"), ("GET", "/api/settings/iframe"), ("PUT", "/api/settings/iframe"),
                ("POST", "/api/events/1/cancel"), ("GET", "/api/feed"),
            ] {
                let reply = try await api.call(method, path, token: "A" + String(repeating: "b", count: 42))
                #expect(reply.status == 401, "\(method) \(path)")
            }
        }
    }
}

@Suite struct BrowserSecurityTests {
    @Test func cookieAuthenticatedWritesNeedAnAllowedOrigin() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let cookie = ("Cookie", "attendify_session=\(token)")
            let noOrigin = try await api.call("POST", "/api/events", json: APIClient.validEvent, headers: [cookie])
            #expect(noOrigin.status == 403)
            let evil = try await api.call("POST", "/api/events", json: APIClient.validEvent, headers: [cookie, ("Origin", "https://evil.example")])
            #expect(evil.status == 403)
            let same = try await api.call("POST", "/api/events", json: APIClient.validEvent, headers: [cookie, ("Origin", APIClient.origin)])
            #expect(same.status == 201)
            let bearer = try await api.call("POST", "/api/events", json: APIClient.validEvent, token: token)
            #expect(bearer.status == 201)  // bearer requests are not CSRF-able
            let read = try await api.call("GET", "/api/events", headers: [cookie])
            #expect(read.status == 200)
        }
    }

    @Test func corsAnswersOnlyConfiguredOriginsAndNeverStar() async throws {
        try await withRunningServer(demo: false, configure: { $0.allowedOrigins = ["https://panel.example"] }) { http, _ in
            let preflight = try await http.send(
                "OPTIONS", "/api/events", headers: [("Origin", "https://panel.example"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://panel.example")
            #expect(preflight.header("Access-Control-Allow-Credentials") == "true")
            let other = try await http.send("OPTIONS", "/api/events", headers: [("Origin", "https://evil.example")])
            #expect(other.header("Access-Control-Allow-Origin") == nil)
            let get = try await http.get("/api/auth/me", headers: [("Origin", "https://evil.example")])
            #expect(get.header("Access-Control-Allow-Origin") == nil)
            let own = try await http.get("/api/auth/me", headers: [("Origin", APIClient.origin)])
            #expect(own.header("Access-Control-Allow-Origin") == APIClient.origin)
        }
    }
}
