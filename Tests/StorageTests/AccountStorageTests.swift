import Core
import Foundation
import Storage
import TestSupport
import Testing

/// Self-service accounts, tokens and the two outboxes, on every engine through the port only.
@Suite struct AccountStorageTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    func draft(_ title: String = "Webinar") throws -> EventDraft {
        try EventDraft(
            title: title, description: "", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(3_600), timeZone: "UTC",
            webinarURL: "https://example.com/w"
        ).validated()
    }

    @Test(arguments: Backend.available)
    func aMailedLinkWorksOnceEvenWhenRacedAndNotAfterItExpires(_ backend: Backend) async throws {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        try database.createAccountToken(userID: user.id, purpose: .passwordReset, tokenHash: "race", newEmail: nil, now: Fixtures.start)
        // Two processes redeem the same link at once: exactly one gets it.
        let other = try backend.reopen(location)
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for store in [database, other, database, other] {
                group.addTask { try store.redeemAccountToken(tokenHash: "race", purpose: .passwordReset, now: Fixtures.start) != nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)

        try database.createAccountToken(userID: user.id, purpose: .emailChange, tokenHash: "mail", newEmail: "b@example.com", now: Fixtures.start)
        #expect(try database.redeemAccountToken(tokenHash: "mail", purpose: .passwordReset, now: Fixtures.start) == nil)
        let late = Fixtures.start.addingTimeInterval(AccountTokenPurpose.emailChange.lifetime + 1)
        #expect(try database.redeemAccountToken(tokenHash: "mail", purpose: .emailChange, now: late) == nil)

        try database.createAccountToken(userID: user.id, purpose: .emailChange, tokenHash: "mail2", newEmail: "b@example.com", now: Fixtures.start)
        #expect(try database.redeemAccountToken(tokenHash: "mail2", purpose: .emailChange, now: Fixtures.start)?.newEmail == "b@example.com")
    }

    @Test(arguments: Backend.available)
    func aNewPasswordEndsOtherSessionsAndVoidsResetLinks(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "old", fullName: nil, now: Fixtures.start)
        let later = Fixtures.start.addingTimeInterval(86_400)
        for hash in ["s1", "s2", "s3"] { try database.createSession(userID: user.id, tokenHash: hash, now: Fixtures.start, expiresAt: later) }
        try database.createAccountToken(userID: user.id, purpose: .passwordReset, tokenHash: "reset", newEmail: nil, now: Fixtures.start)
        let kept = try #require(try database.session(tokenHash: "s2", now: Fixtures.start))
        try database.setPassword(userID: user.id, passwordHash: "new", keepingSession: kept.sessionID, now: Fixtures.start)
        #expect(try database.sessions(userID: user.id, now: Fixtures.start).map(\.id) == [kept.sessionID])
        #expect(try database.session(tokenHash: "s1", now: Fixtures.start) == nil)
        #expect(try database.credentials(userID: user.id)?.passwordHash == "new")
        #expect(try database.redeemAccountToken(tokenHash: "reset", purpose: .passwordReset, now: Fixtures.start) == nil)
        try database.setPassword(userID: user.id, passwordHash: "newer", keepingSession: nil, now: Fixtures.start)
        #expect(try database.sessions(userID: user.id, now: Fixtures.start).isEmpty)
    }

    @Test(arguments: Backend.available)
    func tokensAreFoundByHashUntilTheyExpireOrAreRevoked(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let stranger = try database.createUser(email: "b@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let token = try database.createAPIToken(
            userID: user.id, name: "CRM", scopes: [.statsRead, .eventsRead], tokenHash: "t1", expiresAt: Fixtures.start.addingTimeInterval(60),
            limit: 2, now: Fixtures.start)
        #expect(token.scopes == [.eventsRead, .statsRead])
        let found = try #require(try database.apiToken(tokenHash: "t1", now: Fixtures.start))
        #expect(found.user.id == user.id && found.token.id == token.id)
        #expect(try database.apiTokens(userID: user.id).first?.lastUsedAt != nil)
        #expect(try database.apiToken(tokenHash: "t1", now: Fixtures.start.addingTimeInterval(61)) == nil)
        _ = try database.createAPIToken(userID: user.id, name: "two", scopes: [.eventsWrite], tokenHash: "t2", expiresAt: nil, limit: 2, now: Fixtures.start)
        #expect(throws: StorageError.limitReached) {
            try database.createAPIToken(userID: user.id, name: "three", scopes: [.eventsWrite], tokenHash: "t3", expiresAt: nil, limit: 2, now: Fixtures.start)
        }
        #expect(try database.deleteAPIToken(id: token.id, userID: stranger.id) == false)
        #expect(try database.deleteAPIToken(id: token.id, userID: user.id))
        #expect(try database.apiTokens(userID: user.id).map(\.name) == ["two"])
    }

    @Test(arguments: Backend.available)
    func deliveriesOfOneEventGoInOrderAndNeverToTwoDispatchers(_ backend: Backend) async throws {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let hook = try database.createWebhook(
            userID: user.id, url: "https://hooks.example.com/a", events: [.eventUpdated, .eventCreated], description: nil, secret: "s", limit: 5,
            now: Fixtures.start)
        #expect(hook.events == [.eventCreated, .eventUpdated])
        for (index, subject) in ["A", "A", "B", "A", "B"].enumerated() {
            let queued = try database.enqueueWebhookNotice(
                WebhookNotice(type: .eventUpdated, subject: subject, data: #"{"n":\#(index)}"#), userID: user.id, now: Fixtures.start)
            #expect(queued == 1)
        }
        #expect(try database.enqueueWebhookNotice(WebhookNotice(type: .eventDeleted, subject: "A", data: "{}"), userID: user.id, now: Fixtures.start) == 0)

        // Two dispatchers (two nodes) lease at once: each due delivery goes to one of them, and
        // only the oldest pending one of each event is due.
        let other = try backend.reopen(location)
        let lease = Fixtures.start.addingTimeInterval(60)
        let leased = try await withThrowingTaskGroup(of: [PendingDelivery].self) { group in
            for store in [database, other] { group.addTask { try store.dueDeliveries(now: Fixtures.start, leaseUntil: lease, limit: 10) } }
            return try await group.reduce([]) { $0 + $1 }
        }
        #expect(leased.map(\.data).sorted() == [#"{"n":0}"#, #"{"n":2}"#])
        #expect(leased.allSatisfy { $0.deliveryID.count == 32 && $0.deliveryID.allSatisfy(\.isHexDigit) })
        #expect(try database.dueDeliveries(now: Fixtures.start, leaseUntil: lease, limit: 10).isEmpty)

        // A failed first delivery of A holds A's later ones back; B moves on when delivered.
        let first = try #require(leased.first { $0.data == #"{"n":0}"# })
        let b = try #require(leased.first { $0.data == #"{"n":2}"# })
        try database.recordDeliveryAttempt(id: first.id, delivered: false, responseStatus: 500, retryAt: Fixtures.start.addingTimeInterval(10), now: Fixtures.start)
        try database.recordDeliveryAttempt(id: b.id, delivered: true, responseStatus: 200, retryAt: nil, now: Fixtures.start)
        #expect(try database.dueDeliveries(now: Fixtures.start, leaseUntil: lease, limit: 10).map(\.data) == [#"{"n":4}"#])
        let retried = try database.dueDeliveries(now: Fixtures.start.addingTimeInterval(10), leaseUntil: lease.addingTimeInterval(10), limit: 10)
        #expect(retried.map(\.data) == [#"{"n":0}"#])
        #expect(retried.first?.attempts == 1)
        #expect(try database.webhooks(userID: user.id).first?.lastDelivery?.status == .pending)

        // Given up for good, it no longer blocks the next one of A.
        try database.recordDeliveryAttempt(id: first.id, delivered: false, responseStatus: nil, retryAt: nil, now: Fixtures.start)
        let next = try database.dueDeliveries(now: Fixtures.start.addingTimeInterval(10), leaseUntil: lease.addingTimeInterval(10), limit: 10)
        #expect(next.map(\.data) == [#"{"n":1}"#])
        #expect(try database.deleteWebhook(id: hook.id, userID: user.id))
        #expect(try database.dueDeliveries(now: Fixtures.start.addingTimeInterval(3_600), leaseUntil: lease.addingTimeInterval(3_600), limit: 10).isEmpty)
    }

    @Test(arguments: Backend.available)
    func aMailStaysQueuedUntilSentAndIsLeasedToOneDispatcher(_ backend: Backend) async throws {
        let (database, location) = try backend.makeStore(in: folder)
        for index in 0..<6 {
            try database.enqueueMail(OutgoingMail(to: "x\(index)@example.com", subject: "s", text: "t", html: "<p>h</p>"), userID: nil, now: Fixtures.start)
        }
        let other = try backend.reopen(location)
        let lease = Fixtures.start.addingTimeInterval(300)
        let leased = try await withThrowingTaskGroup(of: [QueuedMail].self) { group in
            for store in [database, other, database] { group.addTask { try store.dueMail(now: Fixtures.start, leaseUntil: lease, limit: 4) } }
            return try await group.reduce([]) { $0 + $1 }
        }
        #expect(Set(leased.map(\.id)).count == 6 && leased.count == 6)
        let failed = try #require(leased.first)
        try database.mailFailed(id: failed.id, retryAt: Fixtures.start.addingTimeInterval(5))
        for mail in leased.dropFirst() { try database.mailSent(id: mail.id) }
        #expect(try database.pendingMailCount() == 1)
        let again = try database.dueMail(now: Fixtures.start.addingTimeInterval(5), leaseUntil: lease, limit: 10)
        #expect(again.map(\.id) == [failed.id] && again.first?.attempts == 1 && again.first?.mail.to == failed.mail.to)
        try database.mailFailed(id: failed.id, retryAt: nil)
        #expect(try database.pendingMailCount() == 0)
    }

    @Test(arguments: Backend.available)
    func clickMilestonesAreQueuedOnceInTheBatchThatReachesThem(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let event = try database.createEvent(try draft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        let quiet = try database.createEvent(try draft("Nobody listens"), userID: try database.createUser(
            email: "b@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start).id, publicID: .random(), now: Fixtures.start)
        _ = try database.createWebhook(
            userID: user.id, url: "https://hooks.example.com/m", events: [.clicksMilestone], description: nil, secret: "s", limit: 5, now: Fixtures.start)
        func clicks(_ count: Int, _ eventID: Int64) -> [Click] {
            (0..<count).map { _ in Click(eventID: eventID, type: .google, clickedAt: Fixtures.start.epochSeconds) }
        }
        try database.recordClicks(clicks(9, event.id) + clicks(50, quiet.id))
        #expect(try database.dueDeliveries(now: Date(), leaseUntil: Date(), limit: 10).isEmpty)
        try database.recordClicks(clicks(95, event.id))  // 9 → 104: both 10 and 100 in one batch
        let due = try database.dueDeliveries(now: Date().addingTimeInterval(1), leaseUntil: Date().addingTimeInterval(60), limit: 10)
        #expect(due.count == 1 && due.first?.type == .clicksMilestone)
        #expect(due.first?.data.contains(#""milestone":10"#) == true)
        try database.recordDeliveryAttempt(id: try #require(due.first).id, delivered: true, responseStatus: 200, retryAt: nil, now: Date())
        let second = try database.dueDeliveries(now: Date().addingTimeInterval(1), leaseUntil: Date().addingTimeInterval(60), limit: 10)
        #expect(second.map(\.data).first?.contains(#""milestone":100"#) == true)
        try database.recordClicks(clicks(5, event.id))
        #expect(try database.dueDeliveries(now: Date().addingTimeInterval(120), leaseUntil: Date().addingTimeInterval(180), limit: 10).count == 1)
    }

    @Test(arguments: Backend.available)
    func deletingAnAccountErasesEveryRowOfItAndNamesItsFilesAndFeed(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let other = try database.createUser(email: "b@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let kept = try database.createEvent(try draft(), userID: other.id, publicID: .random(), now: Fixtures.start)
        let event = try database.createEvent(try draft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        let gone = try database.createEvent(try draft("Deleted"), userID: user.id, publicID: .random(), now: Fixtures.start)
        _ = try database.deleteEvent(id: gone.id, userID: user.id, tombstoneAt: Fixtures.start)
        _ = try database.createPlacement(eventID: event.id, userID: user.id, name: "Blog", key: .random(), now: Fixtures.start)
        try database.recordClicks([Click(eventID: event.id, type: .google, clickedAt: Fixtures.start.epochSeconds),
            Click(eventID: kept.id, type: .google, clickedAt: Fixtures.start.epochSeconds)])
        try database.createSession(userID: user.id, tokenHash: "s", now: Fixtures.start, expiresAt: Fixtures.start.addingTimeInterval(99))
        _ = try database.createAPIToken(userID: user.id, name: "n", scopes: [.statsRead], tokenHash: "t", expiresAt: nil, limit: 5, now: Fixtures.start)
        _ = try database.createWebhook(userID: user.id, url: "https://h.example.com", events: [.eventUpdated], description: nil, secret: "s", limit: 5, now: Fixtures.start)
        try database.enqueueWebhookNotice(WebhookNotice(type: .eventUpdated, subject: "x", data: "{}"), userID: user.id, now: Fixtures.start)
        try database.enqueueMail(OutgoingMail(to: "a@example.com", subject: "s", text: "t", html: "h"), userID: user.id, now: Fixtures.start)
        try database.createAccountToken(userID: user.id, purpose: .passwordReset, tokenHash: "r", newEmail: nil, now: Fixtures.start)
        try database.setWidgetDefaults(CustomizationOverrides(theme: .dark), userID: user.id, now: Fixtures.start)
        let before = try database.latestLinkChange()

        let deleted = try #require(try database.deleteAccount(userID: user.id))
        #expect(Set(deleted.publicIDs) == [event.publicID, gone.publicID])
        #expect(deleted.feedID == user.feedID)
        #expect(try database.user(id: user.id) == nil && database.user(email: "a@example.com") == nil)
        #expect(try database.events(userID: user.id).isEmpty && database.deletedEvent(publicID: gone.publicID) == nil)
        #expect(try database.rawClickCount(eventID: event.id) == 0 && database.rollupClickCount(eventID: event.id) == 0)
        #expect(try database.rawClickCount(eventID: kept.id) == 1)
        #expect(try database.apiToken(tokenHash: "t", now: Fixtures.start) == nil && database.session(tokenHash: "s", now: Fixtures.start) == nil)
        #expect(try database.webhooks(userID: user.id).isEmpty && database.pendingMailCount() == 0)
        #expect(try database.dueDeliveries(now: Fixtures.start, leaseUntil: Fixtures.start, limit: 10).isEmpty)
        #expect(try database.redeemAccountToken(tokenHash: "r", purpose: .passwordReset, now: Fixtures.start) == nil)
        #expect(try database.feedOwner(userID: user.id) == nil && database.placements(eventID: event.id).isEmpty)
        // The change log names the event and the feed, so trackers and followers forget both.
        let changed = Set(try database.linkChanges(after: before).ids)
        #expect(changed.isSuperset(of: [event.publicID, user.feedID]))
        #expect(try database.deleteAccount(userID: user.id) == nil)
        #expect(try database.event(id: kept.id) != nil)
    }
}
