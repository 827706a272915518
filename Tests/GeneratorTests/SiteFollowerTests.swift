import Core
import Foundation
import Generator
import Logging
import TestSupport
import Testing

/// `generate --follow` against a database written by "another node" (a second handle): the
/// catch-up at start, then creations, edits, deletions and settings changes reach this out/.
/// Runs on SQLite (polling) and, in the PostgreSQL pass, on LISTEN/NOTIFY.
@Suite struct SiteFollowerTests {
    @Test func changesFromAnotherWriterReachThisNodesFiles() async throws {
        let folder = try TemporaryDirectory()
        let (store, location) = try Backend.suiteDefault.makeStore(in: folder)
        let writer = try Backend.suiteDefault.reopen(location)  // another node's API
        let out = folder.file("out")
        let existing = try GeneratorFixtures.createEvents(writer, count: 2)
        let generator = try await GeneratorFixtures.generator(store, out: out)
        let follower = SiteFollower(generator: generator, database: store, logger: Logger(label: "test"))
        let caughtUp = Flag()
        let task = Task { await follower.run(onCaughtUp: { caughtUp.set() }) }
        // Stopped and awaited before the test returns: a follower still rendering (libxml2 checks
        // every page) while the test process exits can deadlock in libxml2's exit-time cleanup.
        do {
            try await checkChanges(writer: writer, existing: existing, out: out, caughtUp: caughtUp)
        } catch {
            task.cancel()
            await task.value
            throw error
        }
        task.cancel()
        await task.value
    }

    func checkChanges(writer: any DataStore, existing: [Event], out: String, caughtUp: Flag) async throws {

        func widget(_ event: Event) -> String? {
            try? String(contentsOfFile: "\(out)/widget/event/\(event.publicID.rawValue)/index.html", encoding: .utf8)
        }
        func eventually(_ condition: () -> Bool) async -> Bool {
            // Generous: the whole suite shares two cores and starts all at once (the catch-up
            // competes with every other test's start-up); the multi-node test measures the 1 s.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if condition() { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return condition()
        }

        #expect(await eventually { caughtUp.value })
        #expect(existing.allSatisfy { widget($0)?.contains($0.title) == true }, "the catch-up did not publish what was there")

        let user = try #require(try writer.user(email: "o@example.com"))
        let draft = try EventDraft(
            title: "Created elsewhere", start: GeneratorFixtures.start, end: GeneratorFixtures.start.addingTimeInterval(600),
            webinarURL: "https://example.com/new"
        ).validated()
        let created = try writer.createEvent(draft, userID: user.id, publicID: .random(), now: GeneratorFixtures.start)
        #expect(await eventually { widget(created)?.contains("Created elsewhere") == true })

        var edited = draft
        edited.title = "Edited elsewhere"
        _ = try writer.updateEvent(id: created.id, userID: user.id, with: edited, now: GeneratorFixtures.start)
        #expect(await eventually { widget(created)?.contains("Edited elsewhere") == true })

        try writer.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: user.id, now: GeneratorFixtures.start)
        #expect(await eventually { widget(existing[0])?.contains("lang=\"pl\"") == true }, "a settings change did not republish")

        _ = try writer.deleteEvent(id: existing[1].id, userID: user.id)
        #expect(await eventually { widget(existing[1]) == nil })
    }
}

/// A flag set from the follower's callback.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    func set() { lock.withLock { isSet = true } }
    var value: Bool { lock.withLock { isSet } }
}
