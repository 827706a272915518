import Foundation

/// A webinar as the product knows it: what the widget shows, the `.ics` holds and the tracker links to.
public struct Event: Equatable, Sendable {
    public var id: Int64
    public var userID: Int64
    public var publicID: PublicID
    public var title: String
    public var description: String
    public var start: Date
    public var end: Date
    /// IANA zone the organizer thinks in; the widget shows times in it. Stored times are UTC.
    public var timeZone: String
    public var webinarURL: String
    /// This event's own overrides; merged over the organizer's defaults to style its widget.
    public var customization: CustomizationOverrides
    /// RFC 5545 SEQUENCE: bumped whenever time, title or link change, so calendars replace their copy.
    public var sequence: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, userID: Int64, publicID: PublicID, title: String, description: String, start: Date, end: Date,
        timeZone: String, webinarURL: String, customization: CustomizationOverrides = .init(), sequence: Int = 0,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.publicID = publicID
        self.title = title
        self.description = description
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.webinarURL = webinarURL
        self.customization = customization
        self.sequence = sequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What calendars show as the event's details: the organizer's description (normalized) and,
    /// after a blank line, the webinar link so every client shows how to join. A description that
    /// already holds the link gets no suffix. The two parts are separate so links can shorten the
    /// description while keeping the link.
    public var calendarDetails: (description: String, joinSuffix: String) {
        let text = PlainText.normalized(description)
        if text.contains(webinarURL) { return (text, "") }
        return (text, text.isEmpty ? webinarURL : "\n\n" + webinarURL)
    }

    /// The SEQUENCE this event should carry after it changed from `previous`: calendar clients only
    /// replace their copy of an event when the number grows, so a change they must see bumps it.
    public func sequenceAfterChange(from previous: Event) -> Int {
        let significant =
            start != previous.start || end != previous.end || title != previous.title
            || webinarURL != previous.webinarURL
        return significant ? previous.sequence + 1 : previous.sequence
    }

    /// This event after `draft` replaced its editable fields at `now`: SEQUENCE bumped when
    /// calendars must notice, `updatedAt` never moving backwards. What every engine stores.
    public func applying(_ draft: EventDraft, now: Date) -> Event {
        var updated = self
        updated.title = draft.title
        updated.description = draft.description
        updated.start = draft.start
        updated.end = draft.end
        updated.timeZone = draft.timeZone
        updated.webinarURL = draft.webinarURL
        updated.customization = draft.customization
        updated.sequence = updated.sequenceAfterChange(from: self)
        updated.updatedAt = max(now, updatedAt)
        return updated
    }
}
