import Testing

@testable import EdgeTracker

/// The limit holds over each client's own minute, whatever the clock's minute does.
@Suite struct ClickRateLimiterTests {
    @Test func theLimitHoldsAcrossTheClocksMinute() {
        let limiter = ClickRateLimiter(limitPerMinute: 3)
        let allowed = [59, 59, 59, 60, 118].map { limiter.allow(client: "a", eventID: 1, epochSeconds: Int64($0)) }
        #expect(allowed == [true, true, true, false, false])
        // A minute after the first click the client starts afresh.
        #expect(limiter.allow(client: "a", eventID: 1, epochSeconds: 119))
    }

    @Test func clientsAndEventsCountApart() {
        let limiter = ClickRateLimiter(limitPerMinute: 1)
        #expect(limiter.allow(client: "a", eventID: 1, epochSeconds: 10))
        #expect(!limiter.allow(client: "a", eventID: 1, epochSeconds: 11))
        #expect(limiter.allow(client: "b", eventID: 1, epochSeconds: 11))
        #expect(limiter.allow(client: "a", eventID: 2, epochSeconds: 11))
        // After the sweep of a later minute, old clients are forgotten and count afresh.
        #expect(limiter.allow(client: "a", eventID: 1, epochSeconds: 200))
        #expect(!limiter.allow(client: "a", eventID: 1, epochSeconds: 201))
    }
}
