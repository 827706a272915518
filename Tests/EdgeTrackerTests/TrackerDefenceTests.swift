import Core
import EdgeTracker
import Foundation
import Testing

/// The bare NIO tracker against clients that misbehave on purpose: over real loopback sockets,
/// waiting only by polling with deadlines, asserting what happened and never how fast.
@Suite struct TrackerDefenceTests {
    static func clickRequest(_ harness: TrackerHarness, type: String = "google") -> [UInt8] {
        Array("GET /track/\(harness.event.publicID.rawValue)/\(type) HTTP/1.1\r\nHost: t\r\nUser-Agent: \(TrackerHarness.browser)\r\n\r\n".utf8)
    }

    @Test func aSlowHeaderClientAndAnIdleOneAreClosedWhileANormalClientIsAnswered() async throws {
        try await withTracker(configure: { $0.requestTimeout = .milliseconds(1_500) }) { harness in
            let port = harness.client.port
            let slow = try LoopbackSocket(port: port)
            let silent = try LoopbackSocket(port: port)
            #expect(slow.send(Array("GET /track/".utf8)[...]) != nil)
            var answered = 0
            var closed = false
            let deadline = ContinuousClock.now + .seconds(20)
            // The slow client keeps sending header bytes, a byte per round, and never finishes its head.
            while ContinuousClock.now < deadline {
                if slow.send(Array("a".utf8)[...]) == nil || slow.isClosedByServer {
                    closed = true
                    break
                }
                let click = try await harness.click("google")
                #expect(click.status == 302)
                #expect(click.header("Location")?.hasPrefix("https://calendar.google.com/") == true)
                answered += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(closed, "a client trickling header bytes was never cut off")
            #expect(slow.received.isEmpty, "the slow client got an answer for a head it never finished")
            #expect(answered > 0)
            #expect(try await silent.waitUntilClosed(), "a connection that never sent anything stayed open")
            #expect(harness.edge.metrics.requestTimeoutCount >= 2)
            // And the tracker still answers.
            #expect(try await harness.click("ics").status == 302)
        }
    }

    @Test func aKeepAliveClientThatKeepsAskingIsNotTimedOut() async throws {
        try await withTracker(configure: { $0.requestTimeout = .milliseconds(1_500) }) { harness in
            let socket = try LoopbackSocket(port: harness.client.port)
            let request = Self.clickRequest(harness)
            var answers = 0
            // Well past several timeouts, one request at a time on the same connection.
            let end = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < end {
                #expect(try await socket.sendAll(request))
                answers += 1
                let responses = try await socket.responses(answers)
                try #require(responses.count == answers, "the connection closed after \(responses.count) answers")
                #expect(responses.last?.status == 302)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(harness.edge.metrics.requestTimeoutCount == 0)
        }
    }

    @Test func theConnectionCapRefusesTheNextConnectionAndAcceptsAgainOnceOneCloses() async throws {
        try await withTracker(configure: { $0.maxConnections = 3 }) { harness in
            let port = harness.client.port
            var held = try (0..<3).map { _ in try LoopbackSocket(port: port) }
            let metrics = harness.edge.metrics
            #expect(try await harness.eventually { metrics.openConnectionCount == 3 })

            let extra = try LoopbackSocket(port: port)
            #expect(try await extra.waitUntilClosed(), "the connection over the cap was not closed")
            #expect(extra.received.isEmpty)
            #expect(metrics.refusedConnectionCount == 1)
            #expect(metrics.prometheusText().contains("attendify_track_connections_refused_total 1\n"))
            #expect(metrics.prometheusText().contains("attendify_track_open_connections 3\n"))

            // The held connections are served as usual.
            #expect(try await held[0].sendAll(Self.clickRequest(harness)))
            #expect(try await held[0].responses(1).first?.status == 302)

            held.removeFirst()  // closes it
            #expect(try await harness.eventually { metrics.openConnectionCount == 2 })
            #expect(try await harness.click("google").status == 302)
            #expect(metrics.refusedConnectionCount == 1)
        }
    }

    @Test func aTwentyKiBHeaderIs431AndClosesTheConnection() async throws {
        try await withTracker { harness in
            let socket = try LoopbackSocket(port: harness.client.port)
            let big = "GET /track/\(harness.event.publicID.rawValue)/google HTTP/1.1\r\nHost: t\r\nX-Padding: \(String(repeating: "a", count: 20 * 1_024))\r\n\r\n"
            _ = try await socket.sendAll(Array(big.utf8))
            #expect(try await socket.waitUntilClosed(), "the connection stayed open after an oversized head")
            let responses = LoopbackSocket.parse(socket.received)
            #expect(responses.map(\.status) == [431])
            #expect(responses.first?.head.contains("Connection: close") == true)
            #expect(harness.edge.metrics.headerTooLargeCount == 1)
            #expect(try await harness.click("google").status == 302)
        }
    }

    @Test func aHeadJustUnderTheBoundAndManyHeaderFieldsAreTreatedAsTheyShouldBe() async throws {
        try await withTracker { harness in
            let path = "/track/\(harness.event.publicID.rawValue)/google"
            let under = try LoopbackSocket(port: harness.client.port)
            let padding = String(repeating: "a", count: 15 * 1_024)
            #expect(try await under.sendAll(Array("GET \(path) HTTP/1.1\r\nHost: t\r\nX-Padding: \(padding)\r\n\r\n".utf8)))
            #expect(try await under.responses(1).first?.status == 302)

            let many = try LoopbackSocket(port: harness.client.port)
            let fields = (0..<150).map { "X-F\($0): v\r\n" }.joined()
            _ = try await many.sendAll(Array("GET \(path) HTTP/1.1\r\nHost: t\r\n\(fields)\r\n".utf8))
            #expect(try await many.waitUntilClosed())
            #expect(LoopbackSocket.parse(many.received).map(\.status) == [431])
        }
    }

    @Test func aPipeliningClientThatNeverReadsIsPausedWhileOthersAreAnswered() async throws {
        try await withTracker(configure: { $0.rateLimitsEnabled = false; $0.requestTimeout = .seconds(60) }) { harness in
            let metrics = harness.edge.metrics
            let flood = try LoopbackSocket(port: harness.client.port)
            let request = Self.clickRequest(harness)
            let batch = Array([[UInt8]](repeating: request, count: 1_000).joined())
            // Up to 100,000 requests, never reading an answer, until the kernel takes no more.
            var sentRequests = 0
            let deadline = ContinuousClock.now + .seconds(20)
            var offset = 0
            while sentRequests < 100_000, ContinuousClock.now < deadline, metrics.readPauseCount == 0 {
                guard let count = flood.send(batch[offset...]) else { break }
                offset += count
                if offset == batch.count {
                    offset = 0
                    sentRequests += 1_000
                }
                if count == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
            #expect(try await harness.eventually(timeout: .seconds(20)) { metrics.readPauseCount >= 1 }, "the tracker never stopped reading")
            // Paused: what the flood sent beyond this is not read, so only the normal client's clicks count from here on.
            let receivedAtPause = metrics.receivedCount
            #expect(receivedAtPause < 100_000)
            for _ in 0..<5 { #expect(try await harness.click("google").status == 302) }
            #expect(metrics.receivedCount == receivedAtPause + 5)
            #expect(metrics.requestTimeoutCount == 0)
        }
    }

    @Test func requestsQueuedBehindLookupsStopReadingAndAreAllAnsweredInOrder() async throws {
        try await withTracker { harness in
            let socket = try LoopbackSocket(port: harness.client.port)
            // 200 well-formed ids nobody created: each is a database lookup, and the rest queue behind it.
            var bytes: [UInt8] = []
            for _ in 0..<200 {
                bytes += Array("GET /track/\(PublicID.random().rawValue)/google HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
            }
            bytes += Self.clickRequest(harness)
            #expect(try await socket.sendAll(bytes))
            let responses = try await socket.responses(201, timeout: .seconds(30))
            #expect(responses.count == 201)
            #expect(responses.prefix(200).allSatisfy { $0.status == 404 })
            #expect(responses.last?.status == 302)
            #expect(harness.edge.metrics.readPauseCount >= 1, "more than maxWaitingRequests queued without a pause")
        }
    }
}
