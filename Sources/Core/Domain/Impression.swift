/// One counted view of a widget: a browser rendered it and loaded its beacon. Queued by the
/// tracker like a click. `visitorHash` is the day's keyed hash of the visitor (see
/// `VisitorHasher`); it lives only in memory, long enough to be folded into that day's
/// `VisitorSketch`, and is never stored.
public struct Impression: Sendable, Equatable {
    public var eventID: Int64
    /// The placement whose widget was viewed; nil for the event's own widget (or a placement
    /// deleted meanwhile).
    public var placementID: Int64?
    /// The placement's key from the beacon's path, resolved by the writer (see `Click.placementKey`).
    public var placementKey: String?
    public var viewedAt: Int64
    public var visitorHash: UInt64?

    public init(eventID: Int64, placementID: Int64?, placementKey: String? = nil, viewedAt: Int64, visitorHash: UInt64?) {
        self.eventID = eventID
        self.placementID = placementID
        self.placementKey = placementKey
        self.viewedAt = viewedAt
        self.visitorHash = visitorHash
    }

    public var bucketStart: Int64 { TrafficTime.hourStart(viewedAt) }
    public var dayStart: Int64 { TrafficTime.dayStart(viewedAt) }
}

/// The hour and UTC-day buckets every rollup uses.
public enum TrafficTime {
    public static func hourStart(_ epochSeconds: Int64) -> Int64 { epochSeconds - ((epochSeconds % 3_600) + 3_600) % 3_600 }
    public static func dayStart(_ epochSeconds: Int64) -> Int64 { epochSeconds - ((epochSeconds % 86_400) + 86_400) % 86_400 }
}
