import Core
import EdgeTracker
import Foundation
import TestSupport
import Testing

/// The view beacon `/track/{id}/view[/{placement}]` over real HTTP: answered 204 from memory,
/// counted by the click rules, attributed to its placement, and folded into the day's visitors.
@Suite struct ViewCountingTests {
    static let day: Int64 = 86_400

    func storedViews(_ harness: TrackerHarness) throws -> Int { try harness.database.rawViewCount(eventID: harness.event.id) }

    @Test func theBeaconAnswers204AndCountsOnlyBrowsersThatRenderIt() async throws {
        try await withTracker { harness in
            let view = try await harness.click("view")
            #expect(view.status == 204)
            #expect(view.header("Cache-Control") == "no-store")
            #expect(view.body.isEmpty)
            #expect(try await harness.click("view", method: "HEAD").status == 204)
            for agent in ["Slackbot-LinkExpanding 1.0", "facebookexternalhit/1.1", "Twitterbot/1.0", "curl/8.1", "Mozilla/5.0 HeadlessChrome/120.0"] {
                #expect(try await harness.click("view", userAgent: agent).status == 204)
            }
            #expect(try await harness.click("view", userAgent: nil).status == 204)
            #expect(try await harness.eventually { try storedViews(harness) == 1 })
            #expect(harness.edge.metrics.notCountedCount(.head) == 1)
            #expect(harness.edge.metrics.notCountedCount(.bot) == 6)
            #expect(harness.edge.metrics.viewsReceivedCount == 8)
            #expect(try await harness.eventually { harness.edge.metrics.viewsRecordedCount == 1 })
            #expect(harness.edge.metrics.prometheusText().contains("attendify_views_recorded_total 1\n"))
            #expect(try storedViews(harness) == 1)
            #expect(try harness.storedClicks() == 0)
        }
    }

    @Test func malformedBeaconPathsAre404() async throws {
        try await withTracker { harness in
            let id = harness.event.publicID.rawValue
            for path in [
                "/track/\(PublicID.random().rawValue)/view", "/track/\(id)/views", "/track/\(id)/view/short", "/track/\(id)/view/../x",
                "/track/\(id)/view/\(PublicID.random().rawValue)/more", "/track/\(id)/view//",
            ] {
                let response = try await harness.client.send("GET", path, headers: [("User-Agent", TrackerHarness.browser)])
                #expect(response.status == 404, "\(path)")
            }
            #expect(try storedViews(harness) == 0)
        }
    }

    @Test func viewsHaveTheirOwnBudgetPerVisitor() async throws {
        try await withTracker(configure: { $0.clickLimitPerMinute = 3 }) { harness in
            for _ in 0..<5 { #expect(try await harness.click("view").status == 204) }
            for _ in 0..<3 { try await expectRedirect(try await harness.click("google")) }
            #expect(try await harness.eventually { try storedViews(harness) == 3 && harness.storedClicks() == 3 })
            #expect(harness.edge.metrics.notCountedCount(.throttled) == 2)
        }
    }

    @Test func placementTrafficIsAttributedFromTheFirstViewAndVisitorsAreCountedOnce() async throws {
        let key = PublicID.random()
        try await withTracker(
            configure: { $0.rateLimitsEnabled = false; $0.trustedProxies = ["127.0.0.1"] },
            beforeServing: { database, event in
                _ = try database.createPlacement(eventID: event.id, userID: event.userID, name: "homepage", key: key, now: TrackerHarness.start)
            }
        ) { harness in
            let id = harness.event.publicID.rawValue
            let placement = try #require(try harness.database.placements(eventID: harness.event.id).first)
            // Created after the link table was loaded: the writer resolves the key, so the very
            // first views are the placement's.
            func views(_ placementID: Int64) throws -> Int {
                try harness.database.trafficBuckets(eventID: harness.event.id, from: 0, to: .max).filter { $0.placementID == placementID }
                    .reduce(0) { $0 + $1.views }
            }
            // 40 visitors, 3 views each through the placement, one click each; and 10 views of
            // the event's own widget by the first 10 of them.
            for visitor in 0..<40 {
                let from = [("User-Agent", TrackerHarness.browser), ("X-Forwarded-For", "203.0.113.\(visitor)")]
                for _ in 0..<3 { #expect(try await harness.client.send("GET", "/track/\(id)/view/\(key.rawValue)", headers: from).status == 204) }
                #expect(try await harness.client.send("GET", "/track/\(id)/ics/\(key.rawValue)", headers: from).status == 302)
                if visitor < 10 { _ = try await harness.client.send("GET", "/track/\(id)/view", headers: from) }
            }
            // A placement key the event does not have: still counted, for the event alone.
            let unknown = "/track/\(id)/view/\(PublicID.random().rawValue)"
            #expect(try await harness.client.send("GET", unknown, headers: [("User-Agent", TrackerHarness.browser), ("X-Forwarded-For", "198.51.100.1")]).status == 204)
            #expect(try await harness.eventually { try storedViews(harness) == 131 && harness.storedClicks() == 40 })
            let buckets = try harness.database.trafficBuckets(eventID: harness.event.id, from: 0, to: .max)
            #expect(try views(placement.id) == 120)
            #expect(buckets.filter { $0.placementID == placement.id }.reduce(0) { $0 + $1.clicks } == 40)
            #expect(try views(0) == 11)
            let visitors = try harness.database.visitorCounts(eventID: harness.event.id, firstDay: 0, lastDay: .max)
            // 40 visitors and the one behind the unknown key.
            #expect(visitors.values.reduce(0, +) == 41)
        }
    }

    @Test func pathsSplitIntoEventTypeAndPlacement() throws {
        let id = "AbCdEfGhIjKlMnOpQrStUv"
        let parts = try #require(ClickTracker.split(path: Array("/track/\(id)/google/\(id)?x=1".utf8)))
        #expect(String(decoding: parts.id, as: UTF8.self) == id)
        #expect(String(decoding: parts.type, as: UTF8.self) == "google")
        #expect(parts.placement.map { String(decoding: $0, as: UTF8.self) } == id)
        #expect(try #require(ClickTracker.split(path: Array("/track/\(id)/view/".utf8))).placement == nil)
        #expect(ClickTracker.split(path: Array("/track/\(id)/view/\(id)/x".utf8)) == nil)
        #expect(ClickTracker.split(path: Array("/track/\(id)/view//".utf8)) == nil)
    }
}
