import Foundation
import Testing
@testable import Outbound

@Suite struct SMTPSettingsTests {
    @Test func fullURL() throws {
        let settings = try SMTPSettings(url: "smtp://us%40er:p%40ss%3Aword@Mail.Example.com:2525?starttls=required&ca=/dev/null")
        #expect(settings.host == "mail.example.com")
        #expect(settings.port == 2525)
        #expect(settings.username == "us@er")
        #expect(settings.password == "p@ss:word")
        #expect(settings.startTLS == .required)
        #expect(settings.caFile == "/dev/null")
        #expect(!settings.implicitTLS)
        #expect(settings.displayName == "smtp://us@er@mail.example.com:2525")
    }

    @Test func defaults() throws {
        let smtp = try SMTPSettings(url: "smtp://relay.example.com")
        #expect(smtp.port == 587)
        #expect(smtp.startTLS == .auto)
        #expect(smtp.username == nil && smtp.password == nil)
        let smtps = try SMTPSettings(url: "smtps://user@mail.example.com/")
        #expect(smtps.port == 465)
        #expect(smtps.implicitTLS)
        #expect(smtps.displayName == "smtps://user@mail.example.com:465")
        #expect(try SMTPSettings(url: "smtp://[::1]:25").host == "::1")
        #expect(try SMTPSettings(url: "smtp://[::1]:25").displayName == "smtp://[::1]:25")
    }

    @Test func passwordFileWinsAndLosesItsLineBreak() throws {
        let folder = try TestFolder()
        try "from file\n".write(toFile: folder.file("pw"), atomically: true, encoding: .utf8)
        let settings = try SMTPSettings(url: "smtp://user:fromurl@host", passwordFile: folder.file("pw"))
        #expect(settings.password == "from file")
        #expect(!settings.displayName.contains("from"))
    }

    @Test(arguments: [
        "http://host", "smtp://", "smtp://user:topsecret@", "smtp://host:0", "smtp://host:99999", "smtp://host:abc",
        "smtp://host?starttls=maybe", "smtp://host?color=blue", "smtps://host?starttls=required", "smtp://host/path",
        "smtp://user:topsecret@ho st", "smtp://host#frag", "smtp://%zz@host", "smtp://host?ca=/nonexistent/ca.pem",
    ])
    func problems(url: String) {
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings(url: url) }
        do {
            _ = try SMTPSettings(url: url)
        } catch {
            #expect(!"\(error)".contains("topsecret"), "never echoes the password: \(error)")
        }
    }

    @Test func passwordFileProblems() {
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings(url: "smtp://host", passwordFile: "/dev/null") }
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings(url: "smtp://u@host", passwordFile: "/nonexistent/pw") }
    }
}
