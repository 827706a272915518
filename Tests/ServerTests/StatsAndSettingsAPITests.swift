import Core
import Foundation
import TestSupport
import Testing

@Suite struct StatsAPITests {
    @Test func statsComeFromTheRollupWithEmptyDaysAndOfferedTypes() async throws {
        try await withRunningServer(demo: false) { http, site in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token, ["customization_settings": ["providers": ["google", "ics", "yahoo"]]])
            // 2026-11-02 23:30 UTC is already 2026-11-03 in Warsaw (UTC+1).
            let late = Int64(1_793_662_200)
            try site.database.recordClicks([
                Click(eventID: Int64(event.id), type: .google, clickedAt: late),
                Click(eventID: Int64(event.id), type: .google, clickedAt: late + 60),
                Click(eventID: Int64(event.id), type: .ics, clickedAt: late - 86_400 * 2),
            ])
            let warsaw = try await api.call("GET", "/api/events/\(event.id)/stats?from=2026-10-31&to=2026-11-04", token: token)
            #expect(warsaw.status == 200)
            #expect(warsaw.json["total_clicks"] as? Int == 3)
            #expect(warsaw.json["clicks_by_type"] as? [String: Int] == ["google": 2, "ics": 1, "yahoo": 0])
            let days = (warsaw.json["clicks_timeline"] as? [[String: Any]] ?? []).map { "\($0["date"]!)=\($0["count"]!)" }
            #expect(days == ["2026-10-31=0", "2026-11-01=1", "2026-11-02=0", "2026-11-03=2", "2026-11-04=0"])

            let utc = try await api.call("GET", "/api/events/\(event.id)/stats?from=2026-11-02&to=2026-11-03&tz=UTC", token: token)
            let utcDays = (utc.json["clicks_timeline"] as? [[String: Any]] ?? []).map { $0["count"] as? Int ?? -1 }
            #expect(utcDays == [2, 0])
        }
    }

    @Test func badRangesAre422() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            for (query, field) in [
                ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-11-05&to=2026-11-01", "from"),
                ("from=2020-01-01&to=2026-01-01", "to"), ("tz=Not/AZone", "tz"),
            ] {
                let reply = try await api.call("GET", "/api/events/\(event.id)/stats?\(query)", token: token)
                #expect(reply.status == 422, "\(query)")
                #expect(reply.errorFields == [field], "\(query)")
            }
        }
    }
}

@Suite struct SettingsAPITests {
    @Test func changingDefaultsRepublishesEveryWidgetOfTheOrganizer() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let first = try await api.createEvent(token: token)
            let second = try await api.createEvent(token: token, ["customization_settings": ["language": "en"]])
            let initial = try await api.call("GET", "/api/settings/iframe", token: token)
            #expect((initial.json["iframe_defaults"] as? [String: Any])?.isEmpty == true)
            let saved = try await api.call("PUT", "/api/settings/iframe", json: ["iframe_defaults": ["language": "pl", "accent_color": "#FF0000"]], token: token)
            #expect(saved.status == 200)
            #expect((saved.json["iframe_defaults"] as? [String: Any])?["accent_color"] as? String == "#ff0000")
            #expect(try await http.get("/widget/event/\(first.publicID)").text.contains("Dodaj do kalendarza"))
            // The event's own setting still wins over the organizer's default.
            let secondWidget = try await http.get("/widget/event/\(second.publicID)").text
            #expect(secondWidget.contains("Add to calendar"))
            #expect(secondWidget.contains("--ac:#ff0000"))
            let bad = try await api.call("PUT", "/api/settings/iframe", json: ["iframe_defaults": ["theme": "neon"], "extra": 1], token: token)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["iframe_defaults.theme", "extra"])
        }
    }
}

@Suite struct PreviewAPITests {
    @Test func previewRendersUnsavedSettingsWithTheRealTemplate() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let ann = try await api.signUp("ann@example.com")
            let bob = try await api.signUp("bob@example.com")
            let event = try await api.createEvent(token: ann, ["customization_settings": ["language": "pl"]])
            let settings = ##"{"accent_color":"#ff0066","theme":"dark"}"##.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let preview = try await api.call("GET", "/api/preview/widget?event_id=\(event.id)&customization=\(settings)", token: ann)
            #expect(preview.status == 200)
            #expect(preview.response.header("Content-Type") == "text/html; charset=utf-8")
            #expect(preview.response.header("Content-Security-Policy")?.contains("frame-ancestors 'self'") == true)
            #expect(preview.response.text.contains("--ac:#ff0066"))
            #expect(preview.response.text.contains("Dodaj do kalendarza"))  // the event's saved language still applies
            #expect(preview.response.text.contains("Launch webinar"))
            let sample = try await api.call("GET", "/api/preview/widget?defaults=none", token: ann)
            #expect(sample.response.text.contains("Your webinar title"))
            let bad = try await api.call("GET", "/api/preview/widget?customization=%7B%22theme%22%3A%22neon%22%7D", token: ann)
            #expect(bad.status == 422)
            #expect(bad.errorFields == ["customization.theme"])
            let notYours = try await api.call("GET", "/api/preview/widget?event_id=\(event.id)", token: bob)
            #expect(notYours.status == 404)
            let anonymous = try await api.call("GET", "/api/preview/widget")
            #expect(anonymous.status == 401)
        }
    }
}
