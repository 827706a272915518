import Core
import Storage
import Foundation
import TestSupport
import Testing

@Suite struct BackupTests {
    @Test func aBackupHoldsEverythingAndNeverOverwrites() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.open(path: folder.file("live.sqlite"))
        let user = try database.createUser(email: "b@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let draft = try EventDraft(
            title: "Backed up", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(60), webinarURL: "https://example.com"
        ).validated()
        let event = try database.createEvent(draft, userID: user.id, publicID: .random(), now: Fixtures.start)
        try database.recordClicks([Click(eventID: event.id, type: .ics, clickedAt: 100)])

        try database.backup(to: folder.file("copies/backup.sqlite"))
        let copy = try SQLiteStore.open(path: folder.file("copies/backup.sqlite"))
        #expect(try copy.event(id: event.id)?.title == "Backed up")
        #expect(try copy.rawClickCount() == 1)
        #expect(throws: StorageError.backupTargetExists(folder.file("copies/backup.sqlite"))) {
            try database.backup(to: folder.file("copies/backup.sqlite"))
        }
    }
}
