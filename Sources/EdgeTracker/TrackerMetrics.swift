import Synchronization

/// The tracker's counters, exported in Prometheus text format on the loopback metrics port.
/// Plain atomics: the hot path pays one relaxed increment per counter it touches.
public final class TrackerMetrics: Sendable {
    /// Why a redirected click was not counted.
    public enum NotCountedReason: String, CaseIterable, Sendable {
        case head, bot, throttled
    }

    let received = Atomic<Int>(0)
    let recorded = Atomic<Int>(0)
    let notFound = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let writeErrors = Atomic<Int>(0)
    let notCountedHead = Atomic<Int>(0)
    let notCountedBot = Atomic<Int>(0)
    let notCountedThrottled = Atomic<Int>(0)
    let flushCount = Atomic<Int>(0)
    let flushMicroseconds = Atomic<Int>(0)
    let queueDepth = Atomic<Int>(0)
    let openConnections = Atomic<Int>(0)
    let connectionsRefused = Atomic<Int>(0)
    let requestTimeouts = Atomic<Int>(0)
    let headersTooLarge = Atomic<Int>(0)
    let readPauses = Atomic<Int>(0)
    let viewsReceived = Atomic<Int>(0)
    let viewsRecorded = Atomic<Int>(0)
    let viewsDropped = Atomic<Int>(0)
    let viewQueueDepth = Atomic<Int>(0)

    public init() {}

    func notCounted(_ reason: NotCountedReason) {
        switch reason {
        case .head: notCountedHead.add(1, ordering: .relaxed)
        case .bot: notCountedBot.add(1, ordering: .relaxed)
        case .throttled: notCountedThrottled.add(1, ordering: .relaxed)
        }
    }

    public func notCountedCount(_ reason: NotCountedReason) -> Int {
        switch reason {
        case .head: notCountedHead.load(ordering: .relaxed)
        case .bot: notCountedBot.load(ordering: .relaxed)
        case .throttled: notCountedThrottled.load(ordering: .relaxed)
        }
    }

    public var recordedCount: Int { recorded.load(ordering: .relaxed) }
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }
    public var receivedCount: Int { received.load(ordering: .relaxed) }
    public var viewsReceivedCount: Int { viewsReceived.load(ordering: .relaxed) }
    public var viewsRecordedCount: Int { viewsRecorded.load(ordering: .relaxed) }
    public var viewsDroppedCount: Int { viewsDropped.load(ordering: .relaxed) }
    /// Connections of the public port open right now.
    public var openConnectionCount: Int { openConnections.load(ordering: .relaxed) }
    /// Connections closed at once because `maxConnections` were open.
    public var refusedConnectionCount: Int { connectionsRefused.load(ordering: .relaxed) }
    /// Connections closed because no request head completed within `requestTimeout`.
    public var requestTimeoutCount: Int { requestTimeouts.load(ordering: .relaxed) }
    /// Requests answered 431.
    public var headerTooLargeCount: Int { headersTooLarge.load(ordering: .relaxed) }
    /// Times a connection stopped reading for back-pressure (unwritable, or too many queued requests).
    public var readPauseCount: Int { readPauses.load(ordering: .relaxed) }

    /// Prometheus text exposition format 0.0.4.
    public func prometheusText() -> String {
        func line(_ name: String, _ help: String, _ type: String, _ value: Int) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        var text = ""
        text += line("attendify_clicks_received_total", "Track requests for a known event and offered provider.", "counter", received.load(ordering: .relaxed))
        text += line("attendify_clicks_recorded_total", "Clicks committed to the database.", "counter", recorded.load(ordering: .relaxed))
        text += "# HELP attendify_clicks_not_counted_total Answered but deliberately not counted (clicks and views).\n# TYPE attendify_clicks_not_counted_total counter\n"
        for reason in NotCountedReason.allCases {
            text += "attendify_clicks_not_counted_total{reason=\"\(reason.rawValue)\"} \(notCountedCount(reason))\n"
        }
        text += line("attendify_clicks_dropped_total", "Clicks lost because the queue was full.", "counter", dropped.load(ordering: .relaxed))
        text += line("attendify_track_not_found_total", "Track requests answered 404.", "counter", notFound.load(ordering: .relaxed))
        text += line("attendify_click_write_errors_total", "Failed batch writes (retried).", "counter", writeErrors.load(ordering: .relaxed))
        text += line("attendify_click_queue_depth", "Clicks waiting to be written.", "gauge", queueDepth.load(ordering: .relaxed))
        text += line("attendify_track_open_connections", "Open connections of the public tracker port.", "gauge", openConnections.load(ordering: .relaxed))
        text += line("attendify_track_connections_refused_total", "Connections closed at once because the connection cap was reached.", "counter", connectionsRefused.load(ordering: .relaxed))
        text += line("attendify_track_request_timeouts_total", "Connections closed because no request head completed within the request timeout.", "counter", requestTimeouts.load(ordering: .relaxed))
        text += line("attendify_track_header_too_large_total", "Requests answered 431 Request Header Fields Too Large.", "counter", headersTooLarge.load(ordering: .relaxed))
        text += line("attendify_track_read_pauses_total", "Times a connection stopped reading for back-pressure.", "counter", readPauses.load(ordering: .relaxed))
        text += line("attendify_views_received_total", "View beacon requests for a known event.", "counter", viewsReceived.load(ordering: .relaxed))
        text += line("attendify_views_recorded_total", "Views committed to the database.", "counter", viewsRecorded.load(ordering: .relaxed))
        text += line("attendify_views_dropped_total", "Views lost because the queue was full.", "counter", viewsDropped.load(ordering: .relaxed))
        text += line("attendify_view_queue_depth", "Views waiting to be written.", "gauge", viewQueueDepth.load(ordering: .relaxed))
        let flushes = flushCount.load(ordering: .relaxed)
        let seconds = Double(flushMicroseconds.load(ordering: .relaxed)) / 1_000_000
        text += "# HELP attendify_click_flush_seconds Time spent committing click batches.\n# TYPE attendify_click_flush_seconds summary\n"
        text += "attendify_click_flush_seconds_sum \(seconds)\nattendify_click_flush_seconds_count \(flushes)\n"
        return text
    }
}
