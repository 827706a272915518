import Foundation
import Testing
@testable import Outbound

@Suite struct MailDirTransportTests {
    let message = MailMessage(from: "Attendify <no-reply@example.com>", to: "ana@example.org", subject: "Votre mot de passe a été changé",
                              text: "Bonjour", html: "<p>Bonjour</p>")

    @Test func writesOneEmlPerMailInAPrivateFolder() async throws {
        let parent = try TestFolder()
        let folder = parent.file("mail/drop")
        let clock = Clock(start: Date(timeIntervalSince1970: 1_796_181_300))
        let transport = try MailDirTransport(directory: folder, now: { clock.tick() })
        let attributes = try FileManager.default.attributesOfItem(atPath: folder)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)

        for _ in 0..<3 { try await transport.send(message) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count == 3, "no temp files left: \(names)")
        #expect(names.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") })
        #expect(names[0].hasPrefix("20261202T031500Z-"))
        #expect(names[1].hasPrefix("20261202T031501Z-"))
        #expect(names[2].hasPrefix("20261202T031502Z-"))
        #expect(names.allSatisfy { $0.range(of: #"^\d{8}T\d{6}Z-[0-9a-f]{16}\.eml$"#, options: .regularExpression) != nil })

        let path = "\(folder)/\(names[0])"
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let mail = try await ParsedMail.parse(file: path)
        #expect(mail.header("Subject") == [message.subject])
        #expect(mail.header("Date") == ["Wed, 02 Dec 2026 03:15:00 +0000"])
        #expect(mail.parts.map(\.text) == ["Bonjour", "<p>Bonjour</p>"])
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF line ends")
    }

    @Test func existingFolderIsKeptAsItIs() async throws {
        let folder = try TestFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: folder.path)
        let transport = try MailDirTransport(directory: folder.path)
        try await transport.send(message)
        #expect(try folder.names().count == 1)
        #expect((try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int) == 0o750)
    }

    @Test func aFileInTheWayIsAnError() throws {
        let folder = try TestFolder()
        #expect(FileManager.default.createFile(atPath: folder.file("file"), contents: Data()))
        #expect(throws: MailDeliveryError.self) { try MailDirTransport(directory: folder.file("file")) }
    }

    @Test func unwritableFolderIsATemporaryErrorAndLeavesNoTempFile() async throws {
        guard getuid() != 0 else { return }  // root writes anywhere
        let folder = try TestFolder()
        let transport = try MailDirTransport(directory: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path) }
        await #expect(throws: MailDeliveryError.self) { try await transport.send(message) }
        #expect(try folder.names().isEmpty)
    }
}

/// A clock that moves one second per reading.
private final class Clock: @unchecked Sendable {
    private var next: Date
    init(start: Date) { next = start }
    func tick() -> Date {
        defer { next += 1 }
        return next
    }
}
