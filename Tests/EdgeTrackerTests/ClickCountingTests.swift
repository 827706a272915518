import Core
import EdgeTracker
import Foundation
import TestSupport
import Testing

@Suite struct ClickCountingTests {
    @Test func aThousandConcurrentClicksGiveExactlyAThousandRowsAndRollup() async throws {
        try await withTracker(configure: { $0.rateLimitsEnabled = false }) { harness in
            let types = ["google", "ics", "outlook", "office365", "yahoo"]
            let redirected = try await withThrowingTaskGroup(of: Int.self) { group in
                // 50 clients at a time, 20 clicks each: 1,000 in all.
                for client in 0..<50 {
                    group.addTask {
                        var ok = 0
                        for index in 0..<20 where try await harness.click(types[(client + index) % types.count]).status == 302 {
                            ok += 1
                        }
                        return ok
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(redirected == 1_000)
            #expect(try await harness.eventually { try harness.storedClicks() == 1_000 })
            #expect(try harness.storedClicks() == 1_000)
            #expect(try harness.database.rollupClickCount(eventID: harness.event.id) == 1_000)
        }
    }

    @Test func headBotsAndNoUserAgentAreRedirectedButNotCounted() async throws {
        try await withTracker { harness in
            try await expectRedirect(try await harness.click("google", method: "HEAD"))
            for agent in ["Slackbot-LinkExpanding 1.0", "facebookexternalhit/1.1", "Twitterbot/1.0", "Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.1"] {
                try await expectRedirect(try await harness.click("google", userAgent: agent))
            }
            try await expectRedirect(try await harness.click("google", userAgent: nil))
            try await expectRedirect(try await harness.click("ics"))  // one real person
            #expect(try await harness.eventually { try harness.storedClicks() == 1 })
            #expect(harness.edge.metrics.notCountedCount(.head) == 1)
            #expect(harness.edge.metrics.notCountedCount(.bot) == 6)
            #expect(try harness.storedClicks() == 1)
        }
    }

    @Test func aClientOverTheLimitIsRedirectedButNotCounted() async throws {
        try await withTracker(configure: { $0.clickLimitPerMinute = 3 }) { harness in
            for _ in 0..<5 { try await expectRedirect(try await harness.click("google")) }
            #expect(try await harness.eventually { harness.edge.metrics.recordedCount == 3 })
            #expect(harness.edge.metrics.notCountedCount(.throttled) == 2)
            #expect(try harness.storedClicks() == 3)
        }
    }

    @Test func rateLimitsOffCountsEverything() async throws {
        try await withTracker(configure: { $0.clickLimitPerMinute = 1; $0.rateLimitsEnabled = false }) { harness in
            for _ in 0..<4 { _ = try await harness.click("google") }
            #expect(try await harness.eventually { try harness.storedClicks() == 4 })
        }
    }

    @Test func forwardedForIsBelievedOnlyFromATrustedProxy() async throws {
        try await withTracker(configure: { $0.clickLimitPerMinute = 1; $0.trustedProxies = ["127.0.0.1"] }) { harness in
            // Behind the trusted proxy, two visitors are two clients, each within its limit.
            _ = try await harness.click("google", headers: [("X-Forwarded-For", "203.0.113.7")])
            _ = try await harness.click("google", headers: [("X-Forwarded-For", "198.51.100.1, 203.0.113.8")])
            _ = try await harness.click("google", headers: [("X-Forwarded-For", "203.0.113.7")])  // over the limit
            #expect(try await harness.eventually { harness.edge.metrics.recordedCount == 2 })
            #expect(harness.edge.metrics.notCountedCount(.throttled) == 1)
        }
        try await withTracker(configure: { $0.clickLimitPerMinute = 1 }) { harness in
            // Untrusted peer: the header is ignored, so both clicks are the same client.
            _ = try await harness.click("google", headers: [("X-Forwarded-For", "203.0.113.7")])
            _ = try await harness.click("google", headers: [("X-Forwarded-For", "203.0.113.9")])
            #expect(try await harness.eventually { harness.edge.metrics.recordedCount == 1 })
            #expect(harness.edge.metrics.notCountedCount(.throttled) == 1)
        }
    }

    @Test func noClientInformationIsStoredByDefault() async throws {
        try await withTracker { harness in
            _ = try await harness.click("google")
            #expect(try await harness.eventually { try harness.storedClicks() == 1 })
            #expect(try harness.database.storedClientInfoCount() == 0)
        }
    }

    @Test func operatorsCanOptInToStoringClientInformation() async throws {
        try await withTracker(configure: { $0.storeClientInfo = true }) { harness in
            _ = try await harness.click("google")
            #expect(try await harness.eventually { try harness.storedClicks() == 1 })
            #expect(try harness.database.storedClientInfoCount() == 1)
        }
    }

    @Test func metricsAreServedOnTheirOwnPort() async throws {
        try await withTracker { harness in
            _ = try await harness.click("google")
            #expect(try await harness.eventually { harness.edge.metrics.recordedCount == 1 })
            let text = harness.edge.metrics.prometheusText()
            #expect(text.contains("attendify_clicks_recorded_total 1\n"))
            #expect(text.contains("attendify_clicks_not_counted_total{reason=\"bot\"} 0"))
            #expect(text.contains("# TYPE attendify_click_queue_depth gauge"))
        }
    }
}

/// Asserts a click was redirected (kept out of `#expect` so closures infer `throws` cleanly).
func expectRedirect(_ response: @autoclosure () async throws -> RawHTTPClient.Response) async throws {
    let status = try await response().status
    #expect(status == 302)
}

@Suite struct ClickQueueTests {
    @Test func aFullQueueDropsInsteadOfGrowing() {
        let queue = ClickQueue(capacity: 3)
        let click = Click(eventID: 1, type: .google, clickedAt: 0)
        #expect((0..<5).map { _ in queue.append(click) } == [true, true, true, false, false])
        #expect(queue.count == 3)
    }

    @Test func aBatchPutBackKeepsItsOrder() {
        let queue = ClickQueue(capacity: 10)
        for second in 0..<4 { _ = queue.append(Click(eventID: 1, type: .ics, clickedAt: Int64(second))) }
        let batch = queue.take(upTo: 2)
        queue.putBack(batch)
        #expect(queue.take(upTo: 10).map(\.clickedAt) == [0, 1, 2, 3])
    }

    @Test func bucketsAreHours() {
        #expect(Click(eventID: 1, type: .ics, clickedAt: 7_199).bucketStart == 3_600)
        #expect(Click(eventID: 1, type: .ics, clickedAt: 7_200).bucketStart == 7_200)
    }
}

@Suite struct BotFilterTests {
    @Test(arguments: [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    ])
    func browsersCount(_ agent: String) {
        #expect(!BotFilter.isAutomated(userAgent: agent))
    }

    @Test(arguments: [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "facebookexternalhit/1.1", "Twitterbot/1.0",
        "LinkedInBot/1.0", "Mozilla/5.0 (compatible; bingbot/2.0)", "Discordbot/2.0", "WhatsApp/2.23", "TelegramBot (like TwitterBot)",
        "", "curl/8.4.0",
    ])
    func botsDoNot(_ agent: String) {
        #expect(BotFilter.isAutomated(userAgent: agent))
        #expect(BotFilter.isAutomated(userAgent: nil))
    }
}
