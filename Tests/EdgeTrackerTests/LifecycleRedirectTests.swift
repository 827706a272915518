import Core
import EdgeTracker
import Foundation
import Testing

/// Where the tracker sends a click once an event is no longer ahead, and where the subscribe
/// buttons lead: through the real tracker over loopback, with events stored in the database.
@Suite struct LifecycleRedirectTests {
    static let headers = [("User-Agent", TrackerHarness.browser)]

    func event(_ harness: TrackerHarness, _ change: (inout EventDraft) -> Void) throws -> Event {
        var draft = try TrackerHarness.draft()
        draft.customization = CustomizationOverrides(providers: [.google, .ics, .subscribeWebcal, .subscribeGoogle, .subscribeOutlook])
        change(&draft)
        let user = try #require(try harness.database.user(email: "o@example.com"))
        return try harness.database.createEvent(draft, userID: user.id, publicID: .random(), now: TrackerHarness.start)
    }

    func location(_ harness: TrackerHarness, _ event: Event, _ type: ProviderType) async throws -> String? {
        let response = try await harness.client.send("GET", "/track/\(event.publicID.rawValue)/\(type.rawValue)", headers: Self.headers)
        #expect(response.status == 302, "\(type)")
        return response.header("Location")
    }

    @Test func aCancelledEventsAddLinksLeadToItsWidgetAndSubscriptionsStillWork() async throws {
        try await withTracker(configure: { $0.publicBase = "https://widgets.example.org" }) { harness in
            let event = try event(harness) { $0.status = .cancelled }
            let widget = "/widget/event/\(event.publicID.rawValue)"
            #expect(try await location(harness, event, .google) == widget)
            #expect(try await location(harness, event, .ics) == widget)
            let user = try #require(try harness.database.user(email: "o@example.com"))
            let feed = "widgets.example.org/feed/\(user.feedID.rawValue)/calendar.ics"
            #expect(try await location(harness, event, .subscribeWebcal) == "webcal://\(feed)")
            // Counted like any click: organizers see who still came by.
            #expect(try await harness.eventually { try harness.database.rawClickCount(eventID: event.id) == 3 })
        }
    }

    @Test func anEndedEventsAddLinksLeadToTheRecordingOrTheWidget() async throws {
        try await withTracker { harness in
            let past = Date().addingTimeInterval(-7_200)
            let recorded = try event(harness) { draft in
                draft.start = past
                draft.end = past.addingTimeInterval(3_600)
                draft.recordingURL = "https://example.com/recording"
            }
            #expect(try await location(harness, recorded, .google) == "https://example.com/recording")
            #expect(try await location(harness, recorded, .ics) == "https://example.com/recording")
            let unrecorded = try event(harness) { draft in
                draft.start = past
                draft.end = past.addingTimeInterval(3_600)
            }
            #expect(try await location(harness, unrecorded, .google) == "/widget/event/\(unrecorded.publicID.rawValue)")
            // The upcoming harness event still adds to calendars.
            #expect(try await harness.click("google").header("Location")?.hasPrefix("https://calendar.google.com/") == true)
        }
    }

    @Test func subscribeLinksNameTheOrganizersFeedOrTheEventsOwnWhenUnlisted() async throws {
        try await withTracker(configure: { $0.publicBase = "https://widgets.example.org" }) { harness in
            let user = try #require(try harness.database.user(email: "o@example.com"))
            let listed = try event(harness) { _ in }
            let organizerFeed = "https://widgets.example.org/feed/\(user.feedID.rawValue)/calendar.ics"
            let webcal = try #require(try await location(harness, listed, .subscribeWebcal))
            #expect(webcal == organizerFeed.replacingOccurrences(of: "https://", with: "webcal://"))
            let googleLocation = try await location(harness, listed, .subscribeGoogle)
            let google = try #require(URLComponents(string: googleLocation ?? ""))
            #expect(google.host == "calendar.google.com")
            #expect(google.queryItems?.first { $0.name == "cid" }?.value == webcal)
            let outlookLocation = try await location(harness, listed, .subscribeOutlook)
            let outlook = try #require(URLComponents(string: outlookLocation ?? ""))
            #expect(outlook.host == "outlook.live.com" && outlook.path == "/calendar/0/addfromweb")
            #expect(outlook.queryItems?.first { $0.name == "url" }?.value == organizerFeed)

            let unlisted = try event(harness) { $0.listed = false }
            #expect(
                try await location(harness, unlisted, .subscribeWebcal)
                    == "webcal://widgets.example.org/calendar/\(unlisted.publicID.rawValue)/feed.ics")

            // A type the widget does not offer stays a 404.
            let plain = try event(harness) { $0.customization = CustomizationOverrides(providers: [.google]) }
            let response = try await harness.client.send("GET", "/track/\(plain.publicID.rawValue)/subscribe_webcal", headers: Self.headers)
            #expect(response.status == 404)
        }
    }
}
