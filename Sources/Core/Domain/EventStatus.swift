/// Whether an event still takes place. Cancelling keeps the event: its feeds and `.ics` tell
/// calendars it is cancelled (a deleted event would simply vanish from them, or linger).
public enum EventStatus: String, CaseIterable, Codable, Sendable {
    case scheduled
    case cancelled
}

/// Where an event is in its life, which decides what the widget offers and where the tracker
/// sends a click. Derived from status and the clock, never stored.
public enum EventPhase: String, Sendable {
    /// Scheduled and not over: add buttons.
    case upcoming
    /// Scheduled and over: "This webinar has ended", the recording when there is one.
    case ended
    /// Cancelled (whenever it was planned): "Cancelled", nothing to add.
    case cancelled
}
