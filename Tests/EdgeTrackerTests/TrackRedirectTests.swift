import Core
import EdgeTracker
import Foundation
import Testing

@Suite struct TrackRedirectTests {
    func query(_ location: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in try #require(URLComponents(string: location)).queryItems ?? [] { result[item.name] = item.value }
        return result
    }

    @Test func everyProviderRedirectsToItsCalendar() async throws {
        try await withTracker { harness in
            let google = try await harness.click("google")
            #expect(google.status == 302)
            let location = try #require(google.header("Location"))
            #expect(location.hasPrefix("https://calendar.google.com/calendar/render?action=TEMPLATE"))
            let items = try query(location)
            #expect(items["dates"] == "20541201T150000Z/20541201T160000Z")
            #expect(items["text"] == "Launch webinar")
            #expect(google.header("Cache-Control") == "no-store")
            #expect(google.header("Referrer-Policy") == "no-referrer")
            #expect(google.header("Access-Control-Allow-Origin") == "*")

            let expectations = [
                ("outlook", "https://outlook.live.com/calendar/0/action/compose?"),
                ("office365", "https://outlook.cloud.microsoft/calendar/deeplink/compose?"),
                ("yahoo", "https://calendar.yahoo.com/?v=60&"),
                ("ics", "/calendar/\(harness.event.publicID.rawValue)/download.ics"),
            ]
            for (type, prefix) in expectations {
                let response = try await harness.click(type)
                #expect(response.status == 302, "\(type)")
                #expect(response.header("Location")?.hasPrefix(prefix) == true, "\(type): \(response.header("Location") ?? "-")")
            }
            #expect(try await harness.eventually { try harness.storedClicks() == 5 })
            #expect(try harness.database.rollupClickCount(eventID: harness.event.id) == 5)
        }
    }

    @Test func teamsRedirectsToANewMeetingWhenOffered() async throws {
        try await withTracker(beforeServing: { database, event in
            _ = try database.updateEvent(id: event.id, userID: event.userID, now: TrackerHarness.start) { current in
                var draft = current.draft
                draft.customization.providers = [.teams, .ics]
                return draft
            }
        }) { harness in
            // Off by default: 404 until the refresher has the edit, then a 302 to Teams.
            #expect(try await harness.eventually { try await harness.click("teams").status == 302 })
            let location = try #require(try await harness.click("teams").header("Location"))
            #expect(location.hasPrefix("https://teams.microsoft.com/l/meeting/new?startTime=2054-12-01T15%3A00%3A00Z&endTime="))
            #expect(location.contains("&subject=Launch%20webinar"))
            #expect(try await harness.click("google").status == 404)
            #expect(try await harness.eventually { try harness.storedClicks() == 2 })
        }
    }

    @Test func badIdsTypesAndPathsAre404AndRecordNothing() async throws {
        try await withTracker { harness in
            let id = harness.event.publicID.rawValue
            let paths = [
                "/track/\(id)/msn", "/track/\(id)/GOOGLE", "/track/\(id)", "/track/\(id)/google/extra", "/track//google",
                "/track/short/google", "/track/AAAAAAAAAAAAAAAAAAAAAA/google", "/track/../calendar/\(id)/google",
                "/track/\(id)%2F..%2F/google", "/track/\(String(repeating: "a", count: 300))/google", "/other",
            ]
            for path in paths {
                let response = try await harness.client.send("GET", path, headers: [("User-Agent", TrackerHarness.browser)])
                #expect(response.status == 404, "\(path)")
                #expect(response.text == "Not found\n")
            }
            // One real click afterwards: once it is stored, nothing else was.
            #expect(try await harness.click("google").status == 302)
            #expect(try await harness.eventually { try harness.database.rawClickCount() >= 1 })
            #expect(try harness.database.rawClickCount() == 1)
        }
    }

    @Test func aTypeTheEventDoesNotOfferIs404() async throws {
        try await withTracker { harness in
            var draft = try TrackerHarness.draft()
            draft.customization = CustomizationOverrides(providers: [.ics])
            let user = try #require(try harness.database.user(email: "o@example.com"))
            let event = try harness.database.createEvent(draft, userID: user.id, publicID: .random(), now: TrackerHarness.start)
            let base = "/track/\(event.publicID.rawValue)"
            #expect(try await harness.client.send("GET", "\(base)/ics", headers: [("User-Agent", TrackerHarness.browser)]).status == 302)
            #expect(try await harness.client.send("GET", "\(base)/google", headers: [("User-Agent", TrackerHarness.browser)]).status == 404)
        }
    }

    /// The edits follow without a restart; how fast (the 1 s target) is measured end to end by
    /// Tests/interop (the Nginx and multi-node suites), not asserted here on a shared machine.
    @Test func aNewEventIsTrackableAtOnceAndEditsAndDeletionsFollow() async throws {
        try await withTracker { harness in
            let user = try #require(try harness.database.user(email: "o@example.com"))
            let event = try harness.database.createEvent(
                TrackerHarness.draft(title: "Brand new"), userID: user.id, publicID: .random(), now: TrackerHarness.start)
            let path = "/track/\(event.publicID.rawValue)/google"
            let headers = [("User-Agent", TrackerHarness.browser)]
            // Created after the table was loaded: found by the miss path straight away.
            let first = try await harness.client.send("GET", path, headers: headers)
            #expect(first.header("Location")?.contains("text=Brand%20new") == true)

            var renamedDraft = try TrackerHarness.draft(title: "Renamed")
            renamedDraft.description = "Agenda"
            _ = try harness.database.updateEvent(id: event.id, userID: user.id, with: renamedDraft, now: TrackerHarness.start)
            let renamed = try await harness.eventually(timeout: .seconds(15)) {
                try await harness.client.send("GET", path, headers: headers).header("Location")?.contains("text=Renamed") == true
            }
            #expect(renamed, "edit never reached the tracker")

            _ = try harness.database.deleteEvent(id: event.id, userID: user.id)
            let gone = try await harness.eventually(timeout: .seconds(15)) {
                try await harness.client.send("GET", path, headers: headers).status == 404
            }
            #expect(gone, "deletion never reached the tracker")
        }
    }
}

