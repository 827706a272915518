import Foundation

/// The storage port: every read and write the API, the tracker and the generator ask for, each
/// one transaction, named for what it does. Two engines implement it in the `Storage` module
/// (SQLite through GRDB, PostgreSQL through postgres-nio); nothing outside that module knows
/// which one runs.
///
/// The methods are synchronous on purpose. Every caller already runs where blocking is allowed:
/// API handlers on the blocking-work executor, the tracker's writer and refresher on their own
/// loop, the CLI on its main thread. One blocking interface keeps both engines interchangeable
/// and keeps the per-event publish lock (a `flock`) and its database read in one critical
/// section. Implementations never block a NIO event loop and never leak their own error types:
/// operational failures surface as `StorageFault`, domain outcomes as `StorageError`.
public protocol DataStore: AnyObject, Sendable {
    // MARK: Organizers and sessions

    /// Registers an organizer; throws `StorageError.emailTaken` when the e-mail (any case) exists.
    func createUser(email: String, passwordHash: String, fullName: String?, now: Date) throws -> User
    func user(email: String) throws -> User?
    /// The user row with its password hash: only the login path may ask.
    func credentials(email: String) throws -> Credentials?
    /// Stores a session by the hash of its token (the token itself is never stored) and drops
    /// expired sessions.
    func createSession(userID: Int64, tokenHash: String, now: Date, expiresAt: Date) throws
    func deleteSession(tokenHash: String) throws

    // MARK: Account self-service

    func user(id: Int64) throws -> User?
    /// The user row with its password hash, for re-authentication.
    func credentials(userID: Int64) throws -> Credentials?
    /// A live session by the hash of its token, with its id (which the request's grant names).
    func session(tokenHash: String, now: Date) throws -> SignedInSession?
    /// The user's sessions still valid at `now`, newest first.
    func sessions(userID: Int64, now: Date) throws -> [SessionInfo]
    /// Ends one of the user's sessions; false when there is no such session of theirs.
    func deleteSession(id: Int64, userID: Int64) throws -> Bool
    /// Stores a new password hash; in the same transaction ends every session of the user but
    /// `keepingSession` and voids every unused password-reset link.
    func setPassword(userID: Int64, passwordHash: String, keepingSession: Int64?, now: Date) throws
    /// Stores a mailed link by the hash of its token.
    func createAccountToken(userID: Int64, purpose: AccountTokenPurpose, tokenHash: String, newEmail: String?, now: Date) throws
    /// Redeems a mailed link once: deletes it and says whose it was; nil when unknown, used,
    /// expired or made for another purpose.
    func redeemAccountToken(tokenHash: String, purpose: AccountTokenPurpose, now: Date) throws -> RedeemedAccountToken?
    /// Changes the sign-in address; throws `StorageError.emailTaken`, `.notFound`.
    func setEmail(userID: Int64, email: String, now: Date) throws -> User
    /// Erases the organizer and every row that is theirs, in every table, in one transaction.
    /// Nil when there is no such user.
    func deleteAccount(userID: Int64) throws -> DeletedAccount?

    // MARK: Personal API tokens

    /// Throws `StorageError.limitReached` when the user already has `limit` tokens.
    func createAPIToken(userID: Int64, name: String, scopes: [APIScope], tokenHash: String, expiresAt: Date?, limit: Int, now: Date) throws -> APIToken
    /// Newest first.
    func apiTokens(userID: Int64) throws -> [APIToken]
    func deleteAPIToken(id: Int64, userID: Int64) throws -> Bool
    /// The owner of a live token and the token; notes its use (at most once a minute, so a busy
    /// script does not turn every read into a write).
    func apiToken(tokenHash: String, now: Date) throws -> (user: User, token: APIToken)?

    // MARK: Mail outbox

    /// Queues a mail; it stays until a transport accepts it. `userID` ties it to an account, so
    /// deleting the account deletes it too.
    func enqueueMail(_ mail: OutgoingMail, userID: Int64?, now: Date) throws
    /// Leases up to `limit` due mails until `leaseUntil`: no other dispatcher gets them before.
    func dueMail(now: Date, leaseUntil: Date, limit: Int) throws -> [QueuedMail]
    /// A transport accepted it: forgotten.
    func mailSent(id: Int64) throws
    /// A failed attempt: tried again at `retryAt`, or dropped when nil (given up).
    func mailFailed(id: Int64, retryAt: Date?) throws
    /// Mails waiting (tests and the operator's health checks).
    func pendingMailCount() throws -> Int

    // MARK: Webhooks

    /// Throws `StorageError.limitReached` when the user already has `limit` webhooks.
    func createWebhook(
        userID: Int64, url: String, events: [WebhookEventType], description: String?, secret: String, limit: Int, now: Date
    ) throws -> Webhook
    /// Oldest first, each with its newest delivery's state.
    func webhooks(userID: Int64) throws -> [Webhook]
    /// Deletes the webhook and its queued deliveries.
    func deleteWebhook(id: Int64, userID: Int64) throws -> Bool
    /// Queues the notice for each of the organizer's webhooks that subscribed to its type;
    /// returns how many.
    @discardableResult
    func enqueueWebhookNotice(_ notice: WebhookNotice, userID: Int64, now: Date) throws -> Int
    /// Leases up to `limit` due deliveries until `leaseUntil`. A delivery is due only when no
    /// earlier one of the same webhook and subject is still pending: per-event order.
    func dueDeliveries(now: Date, leaseUntil: Date, limit: Int) throws -> [PendingDelivery]
    /// Records an attempt: delivered (`retryAt` ignored), to retry at `retryAt`, or failed for
    /// good when `retryAt` is nil.
    func recordDeliveryAttempt(id: Int64, delivered: Bool, responseStatus: Int?, retryAt: Date?, now: Date) throws

    // MARK: Export

    /// The organizer's events with id above `afterID`, by id, at most `limit` (keyset pages:
    /// an export never holds more than one page).
    func exportEvents(userID: Int64, afterID: Int64, limit: Int) throws -> [Event]
    /// The same for raw clicks.
    func exportClicks(userID: Int64, afterID: Int64, limit: Int) throws -> [ExportedClick]
    /// Daily traffic of all the organizer's events, by event and day.
    func exportTraffic(userID: Int64) throws -> [DailyTraffic]

    // MARK: Widget defaults

    /// The organizer's default widget settings (empty when never set).
    func widgetDefaults(userID: Int64) throws -> CustomizationOverrides
    /// Replaces the organizer's defaults; returns the ones they replaced.
    @discardableResult
    func setWidgetDefaults(_ overrides: CustomizationOverrides, userID: Int64, now: Date) throws -> CustomizationOverrides
    /// Undoes `setWidgetDefaults` whose effects could not be published, unless the settings
    /// changed again since (then that newer change owns them). True when it reverted.
    @discardableResult
    func revertWidgetDefaults(to previous: CustomizationOverrides, from written: CustomizationOverrides, userID: Int64, now: Date) throws
        -> Bool

    // MARK: Events

    func createEvent(_ draft: EventDraft, userID: Int64, publicID: PublicID, now: Date) throws -> Event
    /// Read-modify-write in one transaction: `change` sees the stored event and returns the draft
    /// to store, so two concurrent partial updates cannot undo each other. SEQUENCE is bumped when
    /// calendars must notice. Throws `StorageError.notFound` for a missing or foreign event.
    func updateEvent(id: Int64, userID: Int64, now: Date, _ change: (Event) throws -> EventDraft) throws -> Event
    /// Undoes an update whose files could not be published, unless the event changed again since.
    @discardableResult
    func revertEvent(to previous: Event, from written: Event) throws -> Bool
    /// Deletes an organizer's event with its clicks; returns it so callers can remove its files.
    /// With `tombstoneAt`, the same transaction keeps its last state, cancelled, as a tombstone:
    /// feeds go on telling subscribers it is cancelled until its feed window closes
    /// (`deletedEvent`). Without, nothing is kept (undoing a create nobody saw).
    func deleteEvent(id: Int64, userID: Int64, tombstoneAt: Date?) throws -> Event
    func event(id: Int64) throws -> Event?
    /// The organizer's event, or nil when missing or someone else's (callers answer 404 for both).
    func event(id: Int64, userID: Int64) throws -> Event?
    /// The organizer's events, newest first.
    func events(userID: Int64) throws -> [Event]
    func eventPage(userID: Int64, limit: Int, offset: Int) throws -> EventPage

    // MARK: Publishing

    /// The event with its organizer's defaults, or nil when it does not exist.
    func publishableEvent(id: Int64) throws -> PublishableEvent?
    /// The same by public id: the tracker's miss path and the follower's change path.
    func publishableEvent(publicID: PublicID) throws -> PublishableEvent?
    /// Every event with its organizer's defaults, in one snapshot; unreadable rows listed apart.
    func publicationSnapshot() throws -> PublicationSnapshot
    /// Every event's keys, oldest first.
    func eventKeys() throws -> [EventKey]
    /// One organizer's event keys (republishing after a settings change).
    func eventKeys(userID: Int64) throws -> [EventKey]
    func eventExists(publicID: PublicID) throws -> Bool

    // MARK: Feeds and the events' life cycle

    /// The organizer's feed id and name, or nil for no such organizer.
    func feedOwner(userID: Int64) throws -> FeedOwner?
    /// The owner of an event or of a deleted event's tombstone; else the organizer whose feed id
    /// this is (the change log names feeds too). Nil when the id names nothing.
    func feedOwner(publicID: PublicID) throws -> FeedOwner?
    /// Every organizer's feed (`generate --all`).
    func feedOwners() throws -> [FeedOwner]
    /// What the organizer's feed holds at `now`: listed events and tombstones whose feed window
    /// is still open. Nil for no such organizer.
    func organizerFeed(userID: Int64, now: Date) throws -> OrganizerFeed?
    /// A deleted event's last state (status cancelled, SEQUENCE bumped) while its tombstone lasts.
    func deletedEvent(publicID: PublicID) throws -> PublishableEvent?
    /// Public ids of every tombstone (`generate --all`).
    func deletedEventIDs() throws -> [PublicID]
    /// Renders that became due by `now` and were not recorded as done for the event's current end.
    func lifecycleDue(now: Date, limit: Int) throws -> [LifecycleDue]
    /// Records a due render as done. It is a change like an edit, so other nodes re-render too.
    func markLifecycleDone(_ due: LifecycleDue) throws
    /// Drops tombstones whose feed window closed by `now`, logging a change for each and for its
    /// organizer's feed; returns the dropped ids with their organizers.
    func purgeDeletedEvents(now: Date) throws -> [(publicID: PublicID, userID: Int64)]

    // MARK: Change log (what other processes and nodes follow)

    /// The newest change sequence number (0 when nothing ever changed).
    func latestLinkChange() throws -> Int64
    /// Public ids changed after `sequence`, in commit order, with the newest sequence seen and
    /// whether rows after `sequence` were already pruned (then the caller must reload everything).
    func linkChanges(after sequence: Int64, limit: Int) throws -> LinkChanges
    /// Drops change rows older than `seconds`.
    func pruneLinkChanges(olderThan seconds: Int64, now: Date) throws
    /// Starts pushing a wake-up into `signal` whenever a change commits (PostgreSQL's
    /// LISTEN/NOTIFY), and after every reconnect (a notification may have been missed). Returns
    /// false when the engine has no push (SQLite): callers then poll. Stops with the store.
    func deliverChanges(to signal: ChangeSignal) -> Bool

    // MARK: Clicks

    /// Commits a batch of clicks in one transaction: raw rows and the hourly rollup together, so
    /// statistics always agree with raw rows. Clicks of deleted events are skipped. Returns how
    /// many were stored.
    @discardableResult
    func recordClicks(_ clicks: [Click]) throws -> Int
    /// Rollup rows of one event with `from <= bucket_start < to`: statistics never scan raw clicks.
    func clickBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [ClickBucket]
    /// Raw click rows (tests and benchmarks compare them with what was acknowledged).
    func rawClickCount(eventID: Int64?) throws -> Int
    /// Sum of the rollup, optionally for one event.
    func rollupClickCount(eventID: Int64?) throws -> Int
    /// Raw rows carrying client information (privacy checks).
    func storedClientInfoCount() throws -> Int

    // MARK: Placements

    /// Adds a placement to the organizer's event. Throws `StorageError.notFound` (no such event
    /// of theirs), `.placementNameTaken` (same name, any case) or `.placementLimitReached`. It is
    /// a change of the event: followers re-render it and trackers learn the key.
    func createPlacement(eventID: Int64, userID: Int64, name: String, key: PublicID, now: Date) throws -> Placement
    /// The event's placements, oldest first.
    func placements(eventID: Int64) throws -> [Placement]
    /// Removes one placement of the organizer's event and returns it; nil when there is none.
    /// Its past traffic stays in the event's totals.
    func deletePlacement(id: Int64, eventID: Int64, userID: Int64) throws -> Placement?

    // MARK: Views and visitors

    /// Commits a batch of views in one transaction: raw rows, the hourly and daily rollups, and
    /// each day's visitor sketch merged with the batch's visitors (register by register, so
    /// several trackers writing the same day combine exactly). Views of deleted events are
    /// skipped. Returns how many were stored.
    @discardableResult
    func recordImpressions(_ impressions: [Impression]) throws -> Int
    /// Hourly traffic rows of one event with `from <= bucket_start < to`, every placement.
    func trafficBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [TrafficBucket]
    /// Unique visitors of one event per UTC day start, for days `firstDay...lastDay`.
    func visitorCounts(eventID: Int64, firstDay: Int64, lastDay: Int64) throws -> [Int64: Int]
    /// The organizer's events, as the overview lists them.
    func eventSummaries(userID: Int64) throws -> [EventSummary]
    /// Per event of the organizer, its views, clicks and visitors in `window`: whole UTC days
    /// from the daily rollup, the edges from the hourly one. Events without traffic are absent.
    func trafficTotals(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals]
    /// The same numbers counted from raw rows (benchmarks and tests compare them; slow on purpose).
    func trafficTotalsFromRawRows(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals]
    /// Makes sure every day in `candidates` has a secret (the candidate is stored unless another
    /// process stored one first), deletes the secrets of days before `destroyBefore`, and
    /// returns the stored secrets of the asked days. Days before `destroyBefore` get none.
    func visitorSecrets(candidates: [Int64: [UInt8]], destroyBefore: Int64) throws -> [Int64: [UInt8]]
    /// Deletes the visitor secrets of days before `before` (the scheduler's daily duty).
    func destroyVisitorSecrets(before: Int64) throws
    /// Raw view rows, optionally of one event.
    func rawViewCount(eventID: Int64?) throws -> Int

    // MARK: Operations

    /// Names of the migrations applied so far, oldest first (equal across engines).
    func appliedMigrations() throws -> [String]
    /// One line for operators: engine, where, and its mode (`SQLite ./data/a.sqlite (wal)`).
    func summary() throws -> String
    /// Closes connections; further calls fail. Idempotent.
    func close()
}

extension DataStore {
    /// Replaces an organizer's event with a validated draft.
    public func updateEvent(id: Int64, userID: Int64, with draft: EventDraft, now: Date) throws -> Event {
        try updateEvent(id: id, userID: userID, now: now) { _ in draft }
    }

    /// Deletes without a tombstone.
    public func deleteEvent(id: Int64, userID: Int64) throws -> Event {
        try deleteEvent(id: id, userID: userID, tombstoneAt: nil)
    }

    public func linkChanges(after sequence: Int64) throws -> LinkChanges {
        try linkChanges(after: sequence, limit: 10_000)
    }

    /// The signed-in user for a token hash, if the session exists and has not expired.
    public func user(sessionTokenHash: String, now: Date) throws -> User? {
        try session(tokenHash: sessionTokenHash, now: now)?.user
    }

    public func rawClickCount() throws -> Int { try rawClickCount(eventID: nil) }
    public func rawViewCount() throws -> Int { try rawViewCount(eventID: nil) }
    public func rollupClickCount() throws -> Int { try rollupClickCount(eventID: nil) }
}

/// What `linkChanges(after:)` found.
public struct LinkChanges: Sendable, Equatable {
    /// Public ids changed, oldest change first (an id may repeat).
    public var ids: [PublicID]
    /// The newest sequence number read (the argument when nothing was new).
    public var latest: Int64
    /// True when changes after the asked sequence were pruned before they were read: the caller
    /// missed some and must reload everything.
    public var missedSome: Bool

    public init(ids: [PublicID], latest: Int64, missedSome: Bool) {
        self.ids = ids
        self.latest = latest
        self.missedSome = missedSome
    }
}

/// An event with the organizer defaults it is rendered with: everything the generator needs.
public struct PublishableEvent: Sendable {
    public var event: Event
    public var userDefaults: CustomizationOverrides
    /// Whose feed the event is listed in (the subscribe buttons point there).
    public var organizer: FeedOwner
    /// Where the organizer embeds it: each placement gets a widget file of its own.
    public var placements: [Placement]

    public init(event: Event, userDefaults: CustomizationOverrides, organizer: FeedOwner, placements: [Placement] = []) {
        self.event = event
        self.userDefaults = userDefaults
        self.organizer = organizer
        self.placements = placements
    }

    public var settings: WidgetSettings {
        WidgetSettings.resolve(userDefaults: userDefaults, event: event.customization)
    }
}

/// All events as `generate --all` sees them: the publishable ones, and rows that could not be read.
public struct PublicationSnapshot: Sendable {
    public struct UnreadableRow: Sendable {
        public var id: Int64
        public var publicID: PublicID?

        public init(id: Int64, publicID: PublicID?) {
            self.id = id
            self.publicID = publicID
        }
    }

    public var items: [PublishableEvent] = []
    public var unreadable: [UnreadableRow] = []

    public init() {}
}

/// Which event a row is, without decoding the rest of it: what the generator needs to take the
/// event's lock and re-read it there. `publicID` is nil for a row whose id no longer validates.
public struct EventKey: Sendable, Hashable {
    public var id: Int64
    public var publicID: PublicID?

    public init(id: Int64, publicID: PublicID?) {
        self.id = id
        self.publicID = publicID
    }
}

/// One page of an organizer's events, newest first, with the total across all pages.
public struct EventPage: Sendable {
    public var events: [Event]
    public var total: Int

    public init(events: [Event], total: Int) {
        self.events = events
        self.total = total
    }
}

/// One rollup row: clicks of one type in the hour starting at `bucketStart` (epoch seconds).
public struct ClickBucket: Sendable, Equatable {
    public var bucketStart: Int64
    public var type: String
    public var count: Int

    public init(bucketStart: Int64, type: String, count: Int) {
        self.bucketStart = bucketStart
        self.type = type
        self.count = count
    }
}

/// The organizer a feed belongs to: the feed's id and the name it is shown under.
public struct FeedOwner: Sendable, Equatable {
    public var userID: Int64
    public var feedID: PublicID
    public var name: String?

    public init(userID: Int64, feedID: PublicID, name: String?) {
        self.userID = userID
        self.feedID = feedID
        self.name = name
    }

    /// The name subscribers see for the feed, in the organizer's default language: the same in
    /// the feed itself, `GET /api/feed` and the subscribe redirects.
    public func feedName(userDefaults: CustomizationOverrides) -> String {
        let language = WidgetSettings.resolve(userDefaults: userDefaults, event: CustomizationOverrides()).language
        return WidgetStrings.for(language).feedName(organizer: name)
    }
}

/// Everything an organizer's feed holds at one moment: its owner and defaults, the listed events
/// still in the window (cancelled ones included) and the cancellations of deleted ones.
public struct OrganizerFeed: Sendable {
    public var owner: FeedOwner
    public var userDefaults: CustomizationOverrides
    /// Events and deleted events' last state (status cancelled), oldest start first.
    public var events: [Event]

    public init(owner: FeedOwner, userDefaults: CustomizationOverrides, events: [Event]) {
        self.owner = owner
        self.userDefaults = userDefaults
        self.events = events
    }
}

/// A lifecycle render that is due: an event whose end passed, or whose feed window closed, and
/// the end time it is due for (an edit that moves the end makes it due again later).
public struct LifecycleDue: Sendable, Equatable {
    public enum Step: String, Sendable {
        /// The widget must switch to "ended".
        case ended
        /// The organizer's feed must drop the event (30 days after its end).
        case agedOut
        /// A session of a series ended: the widget moves on to the next one.
        case session
    }

    public var key: EventKey
    public var userID: Int64
    public var step: Step
    public var end: Date

    public init(key: EventKey, userID: Int64, step: Step, end: Date) {
        self.key = key
        self.userID = userID
        self.step = step
        self.end = end
    }
}

/// A user with their password hash: only the login path may see it.
public struct Credentials: Sendable {
    public var user: User
    public var passwordHash: String

    public init(user: User, passwordHash: String) {
        self.user = user
        self.passwordHash = passwordHash
    }
}

extension Date {
    /// Whole seconds since the Unix epoch: the unit of every time column.
    public var epochSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }

    public init(epochSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(epochSeconds)) }
}

/// A session found by its token: who, and which session (to revoke or keep).
public struct SignedInSession: Sendable {
    public var user: User
    public var sessionID: Int64

    public init(user: User, sessionID: Int64) {
        self.user = user
        self.sessionID = sessionID
    }
}

/// One raw click as an export lists it.
public struct ExportedClick: Sendable {
    public var id: Int64
    public var eventID: Int64
    public var eventPublicID: String
    public var provider: String
    public var placement: String?
    public var clickedAt: Date

    public init(id: Int64, eventID: Int64, eventPublicID: String, provider: String, placement: String?, clickedAt: Date) {
        self.id = id
        self.eventID = eventID
        self.eventPublicID = eventPublicID
        self.provider = provider
        self.placement = placement
        self.clickedAt = clickedAt
    }
}

/// One event's traffic on one UTC day.
public struct DailyTraffic: Sendable {
    public var eventID: Int64
    public var dayStart: Int64
    public var views: Int
    public var clicks: Int
    public var uniqueVisitors: Int

    public init(eventID: Int64, dayStart: Int64, views: Int, clicks: Int, uniqueVisitors: Int) {
        self.eventID = eventID
        self.dayStart = dayStart
        self.views = views
        self.clicks = clicks
        self.uniqueVisitors = uniqueVisitors
    }
}
