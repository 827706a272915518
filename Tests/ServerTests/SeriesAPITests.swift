import Foundation
import TestSupport
import Testing

/// Series over real HTTP: the rule in and out, the next session, the preview, the refusals, and
/// what the widget and the tracker make of a series.
@Suite struct SeriesAPITests {
    static var weekly: [String: Any] { ["freq": "weekly", "by_day": ["TU"], "count": 8] }
    /// A Tuesday, 10:00 in Warsaw.
    static var first: [String: Any] {
        ["start_datetime": "2054-03-03T09:00:00Z", "end_datetime": "2054-03-03T10:00:00Z", "timezone": "Europe/Warsaw"]
    }

    @Test func aSeriesIsStoredShownAndOffersOnlyCalendarsThatCanAddIt() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            var body = Self.first
            body["recurrence"] = Self.weekly
            body["customization_settings"] = ["providers": ["google", "outlook", "yahoo", "ics"]]
            let event = try await api.createEvent(token: token, body)
            let rule = try #require(event["recurrence"] as? [String: Any])
            #expect(rule["freq"] as? String == "weekly" && rule["interval"] as? Int == 1 && rule["count"] as? Int == 8)
            #expect(rule["by_day"] as? [String] == ["TU"] && rule["until"] is NSNull && (rule["exdates"] as? [String])?.isEmpty == true)
            #expect(event["next_start"] as? String == "2054-03-03T09:00:00Z")

            let widget = try await http.send("GET", "/widget/event/\(event.publicID)").text
            #expect(widget.contains(#"<p class="rule">Every Tuesday at 10:00, 8 sessions</p>"#))
            #expect(widget.contains(#"data-type="google""#) && widget.contains(#"data-type="ics""#))
            #expect(!widget.contains(#"data-type="outlook""#) && !widget.contains(#"data-type="yahoo""#))
            #expect(widget.contains(#"class="series-note""#))
            let ics = try await http.send("GET", "/calendar/\(event.publicID)/download.ics").text
            #expect(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8\r\n") && ics.contains("DTSTART;TZID=Europe/Warsaw:20540303T100000\r\n"))

            let outlook = try await http.send("GET", "/track/\(event.publicID)/outlook", headers: [("User-Agent", "Mozilla/5.0 (X11) Test")])
            #expect(outlook.status == 302 && outlook.header("Location") == "/calendar/\(event.publicID)/download.ics")

            // null makes it a one-off again; the rule's SEQUENCE bump tells calendars.
            let oneOff = try await api.call("PUT", "/api/events/\(event.id)", json: ["recurrence": NSNull()], token: token)
            #expect(oneOff.status == 200 && oneOff.json["recurrence"] is NSNull)
            #expect((oneOff.json["sequence"] as? Int ?? 0) > (event["sequence"] as? Int ?? 0))
            #expect(!(try await http.send("GET", "/calendar/\(event.publicID)/download.ics").text.contains("RRULE")))
        }
    }

    @Test func theRulesRefusalsNameTheirFields() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let cases: [([String: Any], String)] = [
                (["freq": "weekly", "by_day": ["WE"], "count": 8], "recurrence"),  // the start is a Tuesday
                (["freq": "weekly", "count": 8, "until": "2054-05-01T00:00:00Z"], "recurrence.count"),
                (["freq": "weekly"], "recurrence"),
                (["freq": "weekly", "count": 501], "recurrence.count"),
                (["freq": "daily", "until": "2060-01-01T00:00:00Z"], "recurrence.until"),
                (["freq": "weekly", "count": 3, "exdates": ["2054-03-04T09:00:00Z"]], "recurrence.exdates"),
                (["freq": "hourly", "count": 3], "recurrence.freq"),
                (["freq": "weekly", "count": 3, "by_day": ["XX"]], "recurrence.by_day"),
                (["freq": "weekly", "count": "three"], "recurrence.count"),
                (["freq": "weekly", "count": 3, "rrule": "FREQ=DAILY"], "recurrence.rrule"),
                (["freq": "monthly", "count": 3, "by_month_day": [1e300]], "recurrence.by_month_day"),
            ]
            for (rule, field) in cases {
                var body = APIClient.validEvent.merging(Self.first) { $1 }
                body["recurrence"] = rule
                let reply = try await api.call("POST", "/api/events", json: body, token: token)
                #expect(reply.status == 422 && reply.errorFields.contains(field), "\(rule): \(reply.status) \(reply.errorFields)")
            }
            var notAnObject = APIClient.validEvent
            notAnObject["recurrence"] = "weekly"
            #expect(try await api.call("POST", "/api/events", json: notAnObject, token: token).errorFields == ["recurrence"])
        }
    }

    @Test func thePreviewListsTheSessionsInTheEventsZone() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            var body = Self.first
            body["recurrence"] = ["freq": "weekly", "by_day": ["TU"], "count": 5, "exdates": ["2054-03-10T09:00:00Z"]]
            body["language"] = "pl"
            let reply = try await api.call("POST", "/api/recurrence/preview", json: body, token: token)
            #expect(reply.status == 200)
            let starts = (reply.json["occurrences"] as? [[String: Any]] ?? []).compactMap { $0["start"] as? String }
            // 10:00 in Warsaw is 09:00 UTC until the change on 29 March 2054, 08:00 after.
            #expect(starts == ["2054-03-03T09:00:00Z", "2054-03-17T09:00:00Z", "2054-03-24T09:00:00Z", "2054-03-31T08:00:00Z"])
            #expect(reply.json["total"] as? Int == 4)
            // Five in the rule, one of them skipped: visitors are told of the four that take place.
            #expect(reply.json["summary"] as? String == "W każdy wtorek o 10:00, 4 spotkania")
            #expect(try await api.call("POST", "/api/recurrence/preview", json: Self.first, token: token).errorFields == ["recurrence"])
            #expect(try await api.call("POST", "/api/recurrence/preview", json: body).status == 401)
        }
    }
}
