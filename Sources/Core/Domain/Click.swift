import Foundation

/// One counted click on a widget button, as the tracker queues it for the database.
public struct Click: Sendable, Equatable {
    public var eventID: Int64
    public var type: ProviderType
    public var clickedAt: Int64
    /// The placement whose widget the click came from; nil for the event's own widget.
    public var placementID: Int64?
    /// The placement's key as the tracker saw it in the path: the writer resolves it to the
    /// event's placement inside the write, so attribution never waits for the tracker to learn
    /// a new placement (an unknown key counts for the event alone).
    public var placementKey: String?
    /// Stored only when the operator enabled `--store-client-info`; nil by default.
    public var ipAddress: String?
    public var userAgent: String?

    public init(
        eventID: Int64, type: ProviderType, clickedAt: Int64, placementID: Int64? = nil, placementKey: String? = nil,
        ipAddress: String? = nil, userAgent: String? = nil
    ) {
        self.eventID = eventID
        self.type = type
        self.clickedAt = clickedAt
        self.placementID = placementID
        self.placementKey = placementKey
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    /// Start of the hour the click falls in: the rollup's bucket.
    public var bucketStart: Int64 { TrafficTime.hourStart(clickedAt) }
    public var dayStart: Int64 { TrafficTime.dayStart(clickedAt) }
}
