import Foundation
import TestSupport
import Testing

/// The life-cycle contract over real HTTP: cancelling, reinstating, the recording link, listing,
/// the organizer's feed and what each does to the public files.
@Suite struct LifecycleAPITests {
    @Test func newEventsAreScheduledListedWithTheirFeedAndNoRecording() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            #expect(event["status"] as? String == "scheduled")
            #expect(event["listed"] as? Bool == true)
            #expect(event["recording_url"] is NSNull)
            #expect(event["feed_url"] as? String == "\(APIClient.origin)/calendar/\(event.publicID)/feed.ics")
            let feed = try await http.send("GET", "/calendar/\(event.publicID)/feed.ics")
            #expect(feed.status == 200)
            #expect(feed.header("Content-Type") == "text/calendar; charset=utf-8")
            #expect(feed.text.contains("SUMMARY:Launch webinar\r\n"))
        }
    }

    @Test func cancelKeepsTheEventIsIdempotentAndPutReinstatesIt() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let event = try await api.createEvent(token: token)
            let path = "/api/events/\(event.id)"
            let cancelled = try await api.call("POST", "\(path)/cancel", token: token)
            #expect(cancelled.status == 200)
            #expect(cancelled.json["status"] as? String == "cancelled")
            #expect(cancelled.json["sequence"] as? Int == 1)
            let again = try await api.call("POST", "\(path)/cancel", json: [String: Any](), token: token)
            #expect(again.status == 200 && again.json["sequence"] as? Int == 1)
            #expect(try await api.call("GET", path, token: token).json["status"] as? String == "cancelled")

            let widget = try await http.send("GET", "/widget/event/\(event.publicID)")
            #expect(widget.text.contains(#"data-state="cancelled""#) && !widget.text.contains(#"href="/track/"#))
            let download = try await http.send("GET", "/calendar/\(event.publicID)/download.ics")
            #expect(download.text.contains("STATUS:CANCELLED\r\n"))

            let reinstated = try await api.call("PUT", path, json: ["status": "scheduled"], token: token)
            #expect(reinstated.status == 200 && reinstated.json["status"] as? String == "scheduled")
            #expect(reinstated.json["sequence"] as? Int == 2)
            #expect(try await http.send("GET", "/widget/event/\(event.publicID)").text.contains("/track/\(event.publicID)/google"))
        }
    }

    @Test func cancelRefusesABodyWithFieldsAndOthersEvents() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let ann = try await api.signUp("ann@example.com")
            let bob = try await api.signUp("bob@example.com")
            let event = try await api.createEvent(token: ann)
            let path = "/api/events/\(event.id)/cancel"
            let withField = try await api.call("POST", path, json: ["reason": "x"], token: ann)
            #expect(withField.status == 422 && withField.errorFields == ["reason"])
            #expect(try await api.call("POST", path, raw: Array("not json".utf8), token: ann).status == 400)
            #expect(try await api.call("POST", path, token: bob).status == 404)
            #expect(try await api.call("POST", "/api/events/999999/cancel", token: ann).status == 404)
            #expect(try await api.call("GET", "/api/events/\(event.id)", token: ann).json["status"] as? String == "scheduled")
        }
    }

    @Test func recordingListedAndStatusAreValidated() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let token = try await api.signUp("a@example.com")
            let bad = try await api.call(
                "POST", "/api/events", json: APIClient.validEvent.merging(["listed": "yes", "status": "cancelled"]) { $1 }, token: token)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["listed", "status"])  // status is not for creating
            for link in ["javascript:alert(1)", "https://exa mple.com", String(repeating: "https://e.com/", count: 200)] {
                let badLink = try await api.call("POST", "/api/events", json: APIClient.validEvent.merging(["recording_url": link]) { $1 }, token: token)
                #expect(badLink.status == 422 && badLink.errorFields == ["recording_url"], "\(link.prefix(30))")
            }

            let event = try await api.createEvent(token: token, ["recording_url": "https://example.com/rec", "listed": false])
            #expect(event["recording_url"] as? String == "https://example.com/rec" && event["listed"] as? Bool == false)
            let path = "/api/events/\(event.id)"
            let badStatus = try await api.call("PUT", path, json: ["status": "ended"], token: token)
            #expect(badStatus.status == 422 && badStatus.errorFields == ["status"])
            let cleared = try await api.call("PUT", path, json: ["recording_url": NSNull()], token: token)
            #expect(cleared.json["recording_url"] is NSNull && cleared.json["listed"] as? Bool == false)
            let emptied = try await api.call("PUT", path, json: ["recording_url": "  "], token: token)
            #expect(emptied.status == 200 && emptied.json["recording_url"] is NSNull)
        }
    }

    @Test func theOrganizersFeedIsTheirsAndListsWhatTheyList() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let api = APIClient(http: http)
            let ann = try await api.signUp("ann@example.com")
            let bob = try await api.signUp("bob@example.com")
            let listed = try await api.createEvent(token: ann, ["title": "Shown"])
            let hidden = try await api.createEvent(token: ann, ["title": "Hidden", "listed": false])
            let gone = try await api.createEvent(token: ann, ["title": "Gone"])
            let feedReply = try await api.call("GET", "/api/feed", token: ann)
            #expect(feedReply.status == 200)
            let feedURL = try #require(feedReply.json["feed_url"] as? String)
            #expect(feedURL.hasPrefix("\(APIClient.origin)/feed/") && feedURL.hasSuffix("/calendar.ics"))
            #expect(feedReply.json["webcal_url"] as? String == feedURL.replacingOccurrences(of: "http://", with: "webcal://"))
            let google = try #require(URLComponents(string: feedReply.json["google_subscribe_url"] as? String ?? ""))
            #expect(google.host == "calendar.google.com" && google.queryItems?.first { $0.name == "cid" }?.value == feedReply.json["webcal_url"] as? String)
            let outlook = try #require(URLComponents(string: feedReply.json["outlook_subscribe_url"] as? String ?? ""))
            #expect(outlook.host == "outlook.live.com" && outlook.queryItems?.first { $0.name == "url" }?.value == feedURL)
            #expect(try await api.call("GET", "/api/feed", token: bob).json["feed_url"] as? String != feedURL)

            #expect(try await api.call("DELETE", "/api/events/\(gone.id)", token: ann).status == 204)
            let path = String(feedURL.dropFirst(APIClient.origin.count))
            let feed = try await http.send("GET", path)
            #expect(feed.status == 200 && feed.header("Content-Type") == "text/calendar; charset=utf-8")
            #expect(feed.header("Cache-Control") == "public, max-age=300")
            #expect(feed.text.contains("UID:\(listed.publicID)@"))
            #expect(!feed.text.contains(hidden.publicID))
            #expect(feed.text.contains("SUMMARY:Cancelled: Gone\r\n"))  // deleted, its cancellation kept
            #expect(try await http.send("GET", "/widget/event/\(gone.publicID)").status == 404)
            #expect(try await http.send("GET", "/calendar/\(gone.publicID)/feed.ics").text.contains("STATUS:CANCELLED\r\n"))

            // A conditional request with the feed's validator is a 304 while nothing changed.
            let etag = try #require(feed.header("ETag"))
            let again = try await http.send("GET", path, headers: [("If-None-Match", etag)])
            #expect(again.status == 304 && again.body.isEmpty)
            _ = try await api.call("PUT", "/api/events/\(listed.id)", json: ["title": "Shown, moved"], token: ann)
            let changed = try await http.send("GET", path, headers: [("If-None-Match", etag)])
            #expect(changed.status == 200 && changed.text.contains("SUMMARY:Shown\\, moved\r\n"))
        }
    }
}
