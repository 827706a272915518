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
    /// RFC 5545 SEQUENCE: bumped whenever time, title, link or status change, so calendars replace their copy.
    public var sequence: Int
    /// Cancelled events stay (feeds tell subscribers) until they age out; only DELETE removes one.
    public var status: EventStatus
    /// Where the recording is, shown by the widget once the event has ended.
    public var recordingURL: String?
    /// Whether the organizer's feed ("all our webinars") carries this event.
    public var listed: Bool
    /// How the series repeats, nil for a one-off. `start`/`end` are then the first session.
    public var recurrence: Recurrence?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, userID: Int64, publicID: PublicID, title: String, description: String, start: Date, end: Date,
        timeZone: String, webinarURL: String, customization: CustomizationOverrides = .init(), sequence: Int = 0,
        status: EventStatus = .scheduled, recordingURL: String? = nil, listed: Bool = true, recurrence: Recurrence? = nil,
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
        self.status = status
        self.recordingURL = recordingURL
        self.listed = listed
        self.recurrence = recurrence
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
            || webinarURL != previous.webinarURL || status != previous.status || recordingURL != previous.recordingURL
            || recurrence != previous.recurrence || (recurrence != nil && timeZone != previous.timeZone)
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
        updated.status = draft.status
        updated.recordingURL = draft.recordingURL
        updated.listed = draft.listed
        updated.recurrence = draft.recurrence
        updated.sequence = updated.sequenceAfterChange(from: self)
        updated.updatedAt = max(now, updatedAt)
        return updated
    }

    /// The event's phase at `now`: what the widget shows and where the tracker sends a click.
    public func phase(at now: Date) -> EventPhase { moment(at: now).phase }

    /// The phase at `now` and the session the widget shows then (the next one; the last once all
    /// are over), from one expansion of the rule.
    public func moment(at now: Date) -> (phase: EventPhase, session: Recurrence.Occurrence) {
        let all = sessions
        let last = all.last ?? Recurrence.Occurrence(start: start, end: end)
        let phase: EventPhase = status == .cancelled ? .cancelled : (now >= last.end ? .ended : .upcoming)
        return (phase, all.first { $0.end > now } ?? last)
    }

    /// The editable fields as a draft: what a change starts from (cancel, partial updates).
    public var draft: EventDraft {
        EventDraft(
            title: title, description: description, start: start, end: end, timeZone: timeZone, webinarURL: webinarURL,
            customization: customization, status: status, recordingURL: recordingURL, listed: listed, recurrence: recurrence)
    }

    /// How long after its end an event stays in its organizer's feed (and a deleted one's
    /// cancellation in its own): clients keep the recent past, the feed stays small.
    public static let feedRetention: TimeInterval = 30 * 86_400
}

extension Event {
    /// What a deleted event leaves in feeds: its last state, cancelled, changed at `now` (a
    /// SEQUENCE bump when it was not cancelled already, so clients replace their copy).
    public func tombstone(at now: Date) -> Event {
        var tombstone = self
        if status != .cancelled {
            tombstone.status = .cancelled
            tombstone.sequence += 1
        }
        tombstone.updatedAt = max(now, updatedAt)
        return tombstone
    }
}
